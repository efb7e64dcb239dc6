// The agent's Node, its Lease and its metrics over the API: registration (labels, addresses,
// capacity, conditions, nodeInfo), heartbeats and lease renewals, watch, the server-side table,
// validation of taints, node events, and NodeMetrics.
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSchedulingMessage, nodeFit, toleratesTaint } from '../src/scheduler/fit.js';
import { evictionDelay } from '../src/controllers/nodeLifecycle/taintManager.js';
import { reconcileUnschedulableTaint } from '../src/controllers/nodeLifecycle/unschedulableTaint.js';
import { osImage } from '../src/kubelet/node/nodeInfo.js';
import { parseMeminfoWorkingSet, parseProcStatCpuNs } from '../src/server/metrics/nodeUsage.js';
import { collectWatch, startTestAgent, type TestAgent } from './helpers/agent.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler and taint manager rules', () => {
  it('matches tolerations as ToleratesTaint does', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    expect(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'k', value: 'v' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'k', value: 'w' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'k', operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });

  it('fits in the filters order with the scheduler messages', () => {
    const pod = { spec: { containers: [] } } as any;
    const node = { metadata: { name: 'n' }, spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } } as any;
    const f = nodeFit(pod, node)!;
    expect(failedSchedulingMessage([f], 1)).toBe(
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    expect(nodeFit({ spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } } as any, node)).toBeUndefined();
    const tainted = { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] } } as any;
    expect(nodeFit(pod, tainted)?.reasons).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(nodeFit({ spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } as any, tainted)).toBeUndefined();
  });

  it('delays NoExecute evictions by the shortest tolerationSeconds used', () => {
    const taints = [{ key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoExecute' }];
    expect(evictionDelay([], undefined)).toBe('never');
    expect(evictionDelay(taints, [{ key: 'a', operator: 'Exists' }])).toBe('now');
    expect(evictionDelay(taints, [{ operator: 'Exists' }])).toBe('never');
    expect(evictionDelay(taints, [{ key: 'a', operator: 'Exists', tolerationSeconds: 5 }, { key: 'b', operator: 'Exists', tolerationSeconds: 2 }])).toBe(2000);
    expect(evictionDelay(taints, [{ operator: 'Exists', tolerationSeconds: 0 }])).toBe('now');
  });

  it('adds and removes the unschedulable taint, and reads the host files', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    expect(reconcileUnschedulableTaint({ spec: { unschedulable: true } } as any, now)).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }]);
    expect(reconcileUnschedulableTaint({ spec: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'x', effect: 'NoExecute' }] } } as any, now)).toEqual([{ key: 'x', effect: 'NoExecute' }]);
    expect(reconcileUnschedulableTaint({ spec: {} } as any, now)).toBeUndefined();
    expect(osImage('NAME="x"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(osImage('')).toBe('Linux');
    expect(parseProcStatCpuNs('cpu  100 5 50 1000 7 1 2 3 0 0\ncpu0 1 1 1 1\n')).toBe(161 * 10_000_000);
    expect(parseMeminfoWorkingSet('MemTotal: 1000 kB\nMemFree: 200 kB\nInactive(file): 300 kB\n')).toBe(500 * 1024);
  });
});

describe('the Node and its Lease', () => {
  let t: TestAgent;
  const name = 'tinylet-test';

  beforeAll(async () => {
    t = await startTestAgent({ nodeStatusUpdateFrequencyMs: 1000 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('registers the node as the kubelet does', async () => {
    const list = await t.http('GET', '/api/v1/nodes');
    expect(list.status).toBe(200);
    expect(list.json.kind).toBe('NodeList');
    expect(list.json.items.map((n: any) => n.metadata.name)).toEqual([name]);
    const node = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    expect(node).toMatchObject({ kind: 'Node', apiVersion: 'v1', metadata: { name } });
    expect(node.metadata.namespace).toBeUndefined();
    expect(node.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(node.metadata.labels).toEqual({
      'beta.kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
    });
    expect(node.spec).toEqual({ podCIDR: t.config.podCIDR, podCIDRs: [t.config.podCIDR] });
    const s = node.status;
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: t.agent.kubelet.hostIP }, { type: 'Hostname', address: name }]);
    expect(s.capacity).toMatchObject({ cpu: String(availableParallelism()), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: '110' });
    expect(s.capacity['ephemeral-storage']).toMatch(/^\d+Ki$/);
    expect(s.allocatable).toEqual(s.capacity);
    expect(s.conditions.map((c: any) => [c.type, c.reason])).toEqual([
      ['MemoryPressure', expect.stringMatching(/^KubeletHas(Sufficient|Insufficient)Memory$/)],
      ['DiskPressure', expect.stringMatching(/^KubeletHas(No)?DiskPressure$/)],
      ['PIDPressure', 'KubeletHasSufficientPID'],
      ['Ready', 'KubeletReady'],
    ]);
    expect(s.conditions[3]).toMatchObject({ status: 'True', message: 'kubelet is posting ready status' });
    const version = (await t.http('GET', '/version')).json;
    expect(s.nodeInfo).toMatchObject({
      kernelVersion: release(),
      kubeletVersion: version.gitVersion,
      containerRuntimeVersion: `tinylet://${JSON.parse(readFileSync('package.json', 'utf8')).version}`,
      operatingSystem: 'linux',
      architecture: arch,
      bootID: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      machineID: readFileSync('/etc/machine-id', 'utf8').trim(),
    });
    expect(s.nodeInfo.osImage).toBeTruthy();
    expect(Array.isArray(s.images)).toBe(true);
  });

  it('heartbeats the conditions and renews the lease, without moving transition times', async () => {
    const before = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const lease1 = (await t.http('GET', leasePath)).json;
    expect(lease1).toMatchObject({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: before.metadata.uid }] },
      spec: { holderIdentity: name, leaseDurationSeconds: 40 },
    });
    expect(lease1.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await sleep(2300);
    const after = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    const ready = (n: any) => n.status.conditions.find((c: any) => c.type === 'Ready');
    expect(Date.parse(ready(after).lastHeartbeatTime)).toBeGreaterThan(Date.parse(ready(before).lastHeartbeatTime));
    expect(ready(after).lastTransitionTime).toBe(ready(before).lastTransitionTime);
    expect(after.metadata.creationTimestamp).toBe(before.metadata.creationTimestamp);
    const lease2 = (await t.http('GET', leasePath)).json;
    expect(Date.parse(lease2.spec.renewTime)).toBeGreaterThan(Date.parse(lease1.spec.renewTime));
    const leases = await t.http('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { accept: TABLE });
    expect(leases.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Holder', 'Age']);
    expect(leases.json.rows[0].cells.slice(0, 2)).toEqual([name, name]);
  });

  it('watches nodes: the node, then its heartbeats', async () => {
    const events = await collectWatch(t, '/api/v1/nodes?watch=1', (e) => e.length >= 2, 10_000);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Node', metadata: { name } } });
    expect(events[1]).toMatchObject({ type: 'MODIFIED', object: { metadata: { name } } });
  });

  it('serves the table kubectl get prints, cordoned or not', async () => {
    const table = (await t.http('GET', '/api/v1/nodes', { accept: TABLE })).json;
    expect(table.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0],
      ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1],
    ]);
    const [row] = table.rows;
    const node = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    expect(row.cells).toEqual([name, 'Ready', '<none>', expect.stringMatching(/^\d+s$/), node.status.nodeInfo.kubeletVersion, t.agent.kubelet.hostIP, '<none>', node.status.nodeInfo.osImage, release(), node.status.nodeInfo.containerRuntimeVersion]);
    const patch = await t.http('PATCH', `/api/v1/nodes/${name}`, { body: { spec: { unschedulable: true } }, contentType: 'application/strategic-merge-patch+json' });
    expect(patch.status).toBe(200);
    expect((await t.http('GET', `/api/v1/nodes/${name}`, { accept: TABLE })).json.rows[0].cells[1]).toBe('Ready,SchedulingDisabled');
    expect((await t.http('GET', '/api/v1/nodes?fieldSelector=spec.unschedulable%3Dtrue')).json.items).toHaveLength(1);
    await sleep(50);
    // The node lifecycle controller's taint follows the cordon, and goes with it.
    expect((await t.http('GET', `/api/v1/nodes/${name}`)).json.spec.taints).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: expect.any(String) }]);
    await t.http('PATCH', `/api/v1/nodes/${name}`, { body: { spec: { unschedulable: null } }, contentType: 'application/merge-patch+json' });
    await sleep(50);
    const un = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    expect(un.spec.taints).toBeUndefined();
    expect(un.spec.unschedulable).toBeUndefined();
    // A status update of the main resource keeps the status.
    expect(un.status.nodeInfo.kubeletVersion).toBe(node.status.nodeInfo.kubeletVersion);
  });

  it('validates taints, and is cluster-scoped', async () => {
    const bad = await t.http('PATCH', `/api/v1/nodes/${name}`, { body: { spec: { taints: [{ key: 'a', effect: 'Sometimes' }, { effect: 'NoSchedule' }] } }, contentType: 'application/merge-patch+json' });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toContain('spec.taints[0].effect: Unsupported value: "Sometimes"');
    expect(bad.json.message).toContain('spec.taints[1].key: Required value');
    expect((await t.http('GET', `/api/v1/namespaces/default/nodes/${name}`)).status).toBe(404);
  });

  it('records the node events a kubelet records, found as kubectl describe node looks for them', async () => {
    const sel = encodeURIComponent(`involvedObject.kind=Node,involvedObject.name=${name},involvedObject.namespace=,involvedObject.uid=${name}`);
    const events = (await t.http('GET', `/api/v1/events?fieldSelector=${sel}`)).json.items;
    const reasons = events.map((e: any) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Starting', 'NodeHasSufficientPID', 'NodeReady', 'NodeAllocatableEnforced', 'NodeNotSchedulable', 'NodeSchedulable']));
    expect(events.find((e: any) => e.reason === 'NodeReady')).toMatchObject({ message: `Node ${name} status is now: NodeReady`, source: { component: 'kubelet', host: name }, metadata: { namespace: 'default' } });
    const node = (await t.http('GET', `/api/v1/nodes/${name}`)).json;
    const byUid = encodeURIComponent(`involvedObject.kind=Node,involvedObject.name=${name},involvedObject.uid=${node.metadata.uid}`);
    expect((await t.http('GET', `/api/v1/events?fieldSelector=${byUid}`)).json.items.map((e: any) => [e.reason, e.source.component])).toEqual([['RegisteredNode', 'node-controller']]);
  });

  it('serves NodeMetrics for kubectl top node', async () => {
    const list = await t.http('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    expect(list.status).toBe(200);
    expect(list.json.kind).toBe('NodeMetricsList');
    const [m] = list.json.items;
    expect(m).toMatchObject({ kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name } });
    expect(m.usage.cpu).toMatch(/^\d+n$/);
    expect(m.usage.memory).toMatch(/^\d+Ki$/);
    expect(Number(m.usage.memory.slice(0, -2)) * 1024).toBeLessThan(totalmem());
    expect(m.window).toMatch(/s$/);
    expect((await t.http('GET', `/apis/metrics.k8s.io/v1beta1/nodes/${name}`)).json.metadata.name).toBe(name);
    const missing = await t.http('GET', '/apis/metrics.k8s.io/v1beta1/nodes/other');
    expect([missing.status, missing.json.message]).toEqual([404, 'nodemetrics.metrics.k8s.io "other" not found']);
    const discovery = (await t.http('GET', '/apis/metrics.k8s.io/v1beta1')).json;
    expect(discovery.resources.map((r: any) => r.name)).toContain('nodes');
  });
});

// The scheduler's NodeAffinity and NodeResourcesFit filters: the pure functions with their exact
// messages, then on a real agent a pod whose nodeSelector no node label satisfies, and pods that
// request more CPU than the node has left, which wait Pending (FailedScheduling) and start once the
// node fits them: its labels changed, or the pod holding the CPU deleted.
import type { Node } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { failedSchedulingMessage, nodeFit, schedule } from '../src/scheduler/fit.js';
import { matchesNodeAffinity } from '../src/scheduler/nodeAffinity.js';
import { podRequests } from '../src/scheduler/resourcesFit.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const node: Node = {
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', disk: 'ssd', gen: '5' } },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3', 'ephemeral-storage': '10Gi' } },
};
const withSpec = (spec: object): Pod => ({ spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec } }) as Pod;
const term = (matchExpressions: object[], matchFields?: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, ...(matchFields ? { matchFields } : {}) }] } } } });
const requesting = (cpu: string, memory = '0') => withSpec({ containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu, memory } } }] });

describe('NodeAffinity', () => {
  it('matches nodeSelector labels exactly, and required terms with every operator', () => {
    expect(matchesNodeAffinity(withSpec({ nodeSelector: { disk: 'ssd' } }), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec({ nodeSelector: { disk: 'hdd' } }), node)).toBe(false);
    expect(matchesNodeAffinity(withSpec({ nodeSelector: { zone: '' } }), node)).toBe(false);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }])), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'disk', operator: 'NotIn', values: ['ssd'] }])), node)).toBe(false);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'zone', operator: 'NotIn', values: ['a'] }])), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'gen', operator: 'Gt', values: ['4'] }])), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'gen', operator: 'Lt', values: ['5'] }])), node)).toBe(false);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'disk', operator: 'Gt', values: ['1'] }])), node)).toBe(false);
    expect(matchesNodeAffinity(withSpec(term([{ key: 'zone', operator: 'DoesNotExist' }, { key: 'disk', operator: 'Exists' }])), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec(term([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }])), node)).toBe(true);
    expect(matchesNodeAffinity(withSpec(term([], [{ key: 'metadata.name', operator: 'In', values: ['n2'] }])), node)).toBe(false);
    // A term with no requirement matches nothing; terms are ORed.
    expect(matchesNodeAffinity(withSpec(term([])), node)).toBe(false);
    const two = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } } };
    expect(matchesNodeAffinity(withSpec(two), node)).toBe(true);
  });

  it('refuses with the scheduler message, preemption not helpful', () => {
    const f = nodeFit(withSpec({ nodeSelector: { disk: 'hdd' } }), node)!;
    expect(failedSchedulingMessage([f], 1)).toBe(
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
  });
});

describe('NodeResourcesFit', () => {
  it('computes effective requests: containers plus sidecars, or the largest init step, plus overhead', () => {
    const pod = withSpec({
      initContainers: [
        { name: 'big-init', image: 'x', resources: { requests: { cpu: '3' } } },
        { name: 'sidecar', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
      ],
      containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '250m' }, limits: { memory: '2Gi' } } }],
      overhead: { cpu: '100m' },
    });
    const r = podRequests(pod);
    expect(r.get('cpu')).toBe(3_100_000_000n); // max(3, 0.5 + 0.25) + 0.1
    expect(r.get('memory')).toBe(3n * 1024n ** 3n * 1_000_000_000n); // the sidecar's 1Gi + the limit-defaulted 2Gi
  });

  it('counts what the bound, unfinished pods request, and names every resource that is short', () => {
    const bound = [{ ...requesting('1500m', '3Gi'), spec: { ...requesting('1500m', '3Gi').spec, nodeName: 'n1' } }] as Pod[];
    expect(schedule(requesting('500m'), [node], bound)).toEqual({ node: 'n1' });
    expect(schedule(requesting('600m', '2Gi'), [node], bound)).toEqual({
      message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    });
    const finished = [{ ...bound[0], status: { phase: 'Succeeded' } }] as Pod[];
    expect(schedule(requesting('2'), [node], finished)).toEqual({ node: 'n1' });
    const three = [0, 1, 2].map(() => ({ spec: { nodeName: 'n1', containers: [] } })) as unknown as Pod[];
    expect('message' in schedule(withSpec({}), [node], three) && schedule(withSpec({}), [node], three)).toMatchObject({ message: expect.stringContaining('1 Too many pods') });
    expect(schedule(withSpec({ containers: [{ name: 'a', image: 'x', resources: { limits: { 'example.com/gpu': '1' } } }] }), [node])).toMatchObject({ message: expect.stringContaining('1 Insufficient example.com/gpu') });
  });
});

describe('the filters on a real agent', () => {
  let t: TestAgent;
  const scheduled = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const create = async (name: string, spec: object) => {
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }], ...spec } };
    const r = await t.http('POST', '/api/v1/namespaces/default/pods', { body });
    expect(r.status, r.text).toBe(201);
    return r.json as Pod;
  };
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => t?.stop());

  it('keeps a pod whose nodeSelector no label matches Pending, and starts it once the node is labelled', async () => {
    const created = await create('wants-ssd', { nodeSelector: { disk: 'ssd' } });
    expect(created.spec?.nodeName).toBeUndefined();
    const pending = await waitForApiPod(t.agent, 'default', 'wants-ssd', (p) => scheduled(p)?.status === 'False');
    expect(scheduled(pending)?.message).toContain("1 node(s) didn't match Pod's node affinity/selector");
    const r = await t.http('PATCH', `/api/v1/nodes/${t.config.nodeName}`, { body: { metadata: { labels: { disk: 'ssd' } } }, contentType: 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    await waitForApiPod(t.agent, 'default', 'wants-ssd', isRunning);
  });

  it('keeps a pod asking for more CPU than is left Pending until the pod holding it is deleted', async () => {
    const node = (await t.http('GET', `/api/v1/nodes/${t.config.nodeName}`)).json as Node;
    const cores = Number(node.status!.allocatable!.cpu);
    expect(cores).toBeGreaterThan(0);
    const hog = await create('hog', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: `${cores * 1000 - 100}m` } } }] });
    expect(hog.spec?.nodeName).toBe(t.config.nodeName);
    await create('late', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '200m' } } }] });
    const pending = await waitForApiPod(t.agent, 'default', 'late', (p) => scheduled(p)?.status === 'False');
    expect(scheduled(pending)?.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    expect((await t.http('DELETE', '/api/v1/namespaces/default/pods/hog')).status).toBe(200);
    await waitForApiPod(t.agent, 'default', 'late', isRunning);
  });
});

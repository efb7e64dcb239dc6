// Cordon and taints on real pods: a cordoned node keeps new pods Pending (PodScheduled False,
// Unschedulable, FailedScheduling from default-scheduler) until uncordoned; NoSchedule taints
// the same, unless tolerated; NoExecute taints evict running pods that do not tolerate them,
// after their tolerationSeconds (TaintManagerEviction), and leave those that tolerate them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const NODE = 'tinylet-test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pod = (name: string, tolerations?: unknown[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }],
    ...(tolerations ? { tolerations } : {}),
  },
});

const scheduled = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'PodScheduled');

describe('cordon, uncordon and taints', () => {
  let t: TestAgent;
  const patchNode = (body: unknown) => t.http('PATCH', `/api/v1/nodes/${NODE}`, { body, contentType: 'application/merge-patch+json' });
  const create = async (body: unknown) => {
    const r = await t.http('POST', '/api/v1/namespaces/default/pods', { body });
    expect(r.status).toBe(201);
    return r.json as Pod;
  };
  const eventsOf = async (name: string) =>
    (await t.http('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`)).json.items as any[];
  const remove = (name: string) => t.http('DELETE', `/api/v1/namespaces/default/pods/${name}`);

  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('keeps a pod created on a cordoned node Pending with FailedScheduling, and starts it once uncordoned', async () => {
    const running = await create(pod('before'));
    expect(running.spec?.nodeName).toBe(NODE);
    await waitForApiPod(t.agent, 'default', 'before', isRunning);
    expect((await patchNode({ spec: { unschedulable: true } })).status).toBe(200);
    const created = await create(pod('after'));
    expect(created.spec?.nodeName).toBeUndefined();
    const message = '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    const pending = await waitForApiPod(t.agent, 'default', 'after', (p) => scheduled(p)?.status === 'False');
    expect(pending?.status).toMatchObject({ phase: 'Pending' });
    expect(scheduled(pending)).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(pending?.status?.containerStatuses).toBeUndefined();
    const failed = (await eventsOf('after')).find((e) => e.reason === 'FailedScheduling');
    expect(failed).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    expect(failed.source.host).toBeUndefined();
    // A running pod is untouched by the cordon, and an unbound pod's field selector finds it unbound.
    expect(isRunning(t.agent.kubelet.getPod('default', 'before'))).toBe(true);
    const onNode = (await t.http('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${NODE}`)}`)).json.items.map((p: Pod) => p.metadata?.name);
    expect(onNode).toContain('before');
    expect(onNode).not.toContain('after');
    await sleep(500);
    expect(t.agent.kubelet.getPod('default', 'after')?.status?.phase).toBe('Pending');

    expect((await patchNode({ spec: { unschedulable: null } })).status).toBe(200);
    const started = await waitForApiPod(t.agent, 'default', 'after', isRunning);
    expect(started?.spec?.nodeName).toBe(NODE);
    expect(scheduled(started)).toMatchObject({ status: 'True' });
    const reasons = (await eventsOf('after')).map((e) => e.reason);
    expect(reasons.indexOf('Scheduled')).toBeGreaterThan(reasons.indexOf('FailedScheduling'));
    await remove('before');
    await remove('after');
  });

  it('a pod that tolerates the unschedulable taint, or names the node, is not held back', async () => {
    await patchNode({ spec: { unschedulable: true } });
    const tolerant = await create(pod('tolerant', [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }]));
    expect(tolerant.spec?.nodeName).toBe(NODE);
    const named = await create({ ...pod('named'), spec: { ...pod('named').spec, nodeName: NODE } });
    expect(named.spec?.nodeName).toBe(NODE);
    await waitForApiPod(t.agent, 'default', 'tolerant', isRunning);
    await waitForApiPod(t.agent, 'default', 'named', isRunning);
    // An unbound pod goes at once when deleted, whatever its grace period.
    await create(pod('never'));
    await waitForApiPod(t.agent, 'default', 'never', (p) => scheduled(p)?.status === 'False');
    expect((await remove('never')).status).toBe(200);
    expect(t.agent.kubelet.getPod('default', 'never')).toBeUndefined();
    await patchNode({ spec: { unschedulable: null } });
    await remove('tolerant');
    await remove('named');
  });

  it('NoSchedule taints hold back pods that do not tolerate them', async () => {
    await patchNode({ spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } });
    const plain = await create(pod('plain'));
    expect(plain.spec?.nodeName).toBeUndefined();
    const tolerated = await create(pod('tolerated', [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]));
    expect(tolerated.spec?.nodeName).toBe(NODE);
    const held = await waitForApiPod(t.agent, 'default', 'plain', (p) => scheduled(p)?.status === 'False');
    expect(scheduled(held)?.message).toBe(
      '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    await waitForApiPod(t.agent, 'default', 'tolerated', isRunning);
    await patchNode({ spec: { taints: null } });
    await waitForApiPod(t.agent, 'default', 'plain', isRunning);
    await remove('plain');
    await remove('tolerated');
  });

  it('NoExecute taints evict running pods after their tolerationSeconds', async () => {
    await create(pod('intolerant'));
    await create(pod('patient', [{ key: 'evict', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]));
    await create(pod('forever', [{ key: 'evict', operator: 'Exists', effect: 'NoExecute' }]));
    for (const n of ['intolerant', 'patient', 'forever']) await waitForApiPod(t.agent, 'default', n, isRunning);
    const tainted = Date.now();
    await patchNode({ spec: { taints: [{ key: 'evict', value: 'now', effect: 'NoExecute' }] } });
    await waitForApiPod(t.agent, 'default', 'intolerant', (p) => !!p?.metadata?.deletionTimestamp || !p, 5000);
    expect(Date.now() - tainted).toBeLessThan(900);
    await waitForApiPod(t.agent, 'default', 'patient', (p) => !!p?.metadata?.deletionTimestamp || !p, 5000);
    expect(Date.now() - tainted).toBeGreaterThanOrEqual(950);
    const marked = (await eventsOf('patient')).find((e) => e.reason === 'TaintManagerEviction');
    expect(marked).toMatchObject({ type: 'Normal', message: 'Marking for deletion Pod default/patient', source: { component: 'taint-eviction-controller' } });
    expect((await eventsOf('intolerant')).some((e) => e.reason === 'TaintManagerEviction')).toBe(true);
    await waitForApiPod(t.agent, 'default', 'intolerant', (p) => !p, 10_000);
    await sleep(1200);
    expect(isRunning(t.agent.kubelet.getPod('default', 'forever'))).toBe(true);
    // New pods that do not tolerate it are not scheduled either.
    const late = await create(pod('late'));
    expect(late.spec?.nodeName).toBeUndefined();
    await waitForApiPod(t.agent, 'default', 'late', (p) => scheduled(p)?.message?.includes('untolerated taint {evict: now}') === true);
    await patchNode({ spec: { taints: null } });
    await waitForApiPod(t.agent, 'default', 'late', isRunning);
    await remove('late');
    await remove('forever');
  });
});

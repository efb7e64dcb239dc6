// No-op updates (merge, strategic merge and JSON patches that change nothing, a PUT of what a GET
// returned, a pods/status patch of conditions the pod has) leave the pod as it is: the same
// resourceVersion, no watch event, no write to the store, and a reply equal to a GET's (which is what
// lets kubectl print "patched (no change)").
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const pods = '/api/v1/namespaces/default/pods';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const JSONP = 'application/json-patch+json';

describe('no-op updates', () => {
  let t: TestAgent;
  const storeFile = () => t.agent.podStore.file('default', 'steady');
  const mtime = () => statSync(storeFile(), { bigint: true }).mtimeNs;

  beforeAll(async () => {
    t = await startTestAgent();
    await t.http('POST', pods, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'steady', labels: { app: 'steady' } },
        spec: { terminationGracePeriodSeconds: 0, readinessGates: [{ conditionType: 'example.com/gate' }], containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
      },
    });
    await waitForApiPod(t.agent, 'default', 'steady', isRunning);
    // The gate condition set once, so that setting it again is a no-op.
    await t.http('PATCH', `${pods}/steady/status`, { body: { status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } }, contentType: SMP });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => t?.stop());

  /** Runs `change` and asserts it changed nothing: same object as a GET, same version, no event, no write. */
  async function expectNoChange(what: string, change: () => Promise<{ status: number; json: any }>): Promise<void> {
    const before = await t.http('GET', `${pods}/steady`);
    const stamp = mtime();
    const seen: string[] = [];
    const onPod = (type: string) => seen.push(type);
    t.agent.kubelet.on('pod', onPod);
    const r = await change();
    await new Promise((res) => setTimeout(res, 100));
    t.agent.kubelet.off('pod', onPod);
    expect(r.status, what).toBe(200);
    expect(r.json, what).toEqual(before.json);
    expect(t.agent.kubelet.getPod('default', 'steady')!.metadata!.resourceVersion, what).toBe(before.json.metadata.resourceVersion);
    expect(seen, what).toEqual([]);
    expect(mtime(), what).toBe(stamp);
  }

  it('a merge patch of labels the pod has, twice: the first changes it, the second nothing', async () => {
    const rv0 = t.agent.kubelet.getPod('default', 'steady')!.metadata!.resourceVersion!;
    const first = await t.http('PATCH', `${pods}/steady`, { body: { metadata: { labels: { a: 'b' } } }, contentType: MERGE });
    expect(Number(first.json.metadata.resourceVersion)).toBeGreaterThan(Number(rv0));
    expect(first.json.metadata.labels).toEqual({ app: 'steady', a: 'b' });
    await expectNoChange('merge', () => t.http('PATCH', `${pods}/steady`, { body: { metadata: { labels: { a: 'b' } } }, contentType: MERGE }));
  });

  it('strategic merge and JSON patches that set what is there, or only test it', async () => {
    await expectNoChange('smp labels', () => t.http('PATCH', `${pods}/steady`, { body: { metadata: { labels: { a: 'b' } } }, contentType: SMP }));
    await expectNoChange('smp image', () => t.http('PATCH', `${pods}/steady`, { body: { spec: { containers: [{ name: 'app', image: 'busybox' }] } }, contentType: SMP }));
    await expectNoChange('json replace', () => t.http('PATCH', `${pods}/steady`, { body: [{ op: 'replace', path: '/metadata/labels/a', value: 'b' }], contentType: JSONP }));
    await expectNoChange('json test', () => t.http('PATCH', `${pods}/steady`, { body: [{ op: 'test', path: '/metadata/labels/app', value: 'steady' }], contentType: JSONP }));
    // Empty annotations encode as none (omitempty), as a pod without annotations.
    await expectNoChange('empty map', () => t.http('PATCH', `${pods}/steady`, { body: { metadata: { annotations: {} } }, contentType: MERGE }));
    await expectNoChange('null of an absent field', () => t.http('PATCH', `${pods}/steady`, { body: { metadata: { annotations: { gone: null } } }, contentType: MERGE }));
  });

  it('a PUT of the object a GET returned, and a pods/status patch of the gate condition it has', async () => {
    const current = (await t.http('GET', `${pods}/steady`)).json as Pod;
    await expectNoChange('put', () => t.http('PUT', `${pods}/steady`, { body: current }));
    await expectNoChange('status', () =>
      t.http('PATCH', `${pods}/steady/status`, { body: { status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } }, contentType: SMP }),
    );
  });

  it('a real change after them still changes the pod', async () => {
    const before = t.agent.kubelet.getPod('default', 'steady')!.metadata!.resourceVersion!;
    const r = await t.http('PATCH', `${pods}/steady`, { body: { metadata: { labels: { a: 'c' } } }, contentType: MERGE });
    expect(r.json.metadata.labels.a).toBe('c');
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(Number(before));
    const gate = await t.http('PATCH', `${pods}/steady/status`, { body: { status: { conditions: [{ type: 'example.com/gate', status: 'False' }] } }, contentType: SMP });
    expect(gate.json.status.conditions.find((c: any) => c.type === 'example.com/gate').status).toBe('False');
    expect(Number(gate.json.metadata.resourceVersion)).toBeGreaterThan(Number(r.json.metadata.resourceVersion));
  });
});

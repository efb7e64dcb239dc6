// The eviction subresource and PodDisruptionBudgets over HTTP, against a real agent whose
// disruption controller computes the budgets from real pods: the 429 and its cause as the API
// server words them, a granted eviction (budget spent, pod deleted gracefully), dry runs, pods
// that are not Ready (unhealthyPodEvictionPolicy), two budgets for one pod, and the PDB API itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { collectWatch, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const PODS = '/api/v1/namespaces/default/pods';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget.";

const isReady = (p: Pod | undefined) => !!p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const isRunningUnready = (p: Pod | undefined) => p?.status?.phase === 'Running' && !!p.status.containerStatuses?.[0]?.state?.running && !isReady(p);

function pod(name: string, app: string, ready = true) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], ...(ready ? {} : { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } }) }],
    },
  };
}

const pdb = (name: string, app: string, spec: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name },
  spec: { selector: { matchLabels: { app } }, ...spec },
});

const eviction = (name: string, apiVersion = 'policy/v1', deleteOptions?: Record<string, unknown>) => ({ apiVersion, kind: 'Eviction', metadata: { name, namespace: 'default' }, ...(deleteOptions ? { deleteOptions } : {}) });

describe('pods/eviction and PodDisruptionBudgets', () => {
  let t: TestAgent;
  const get = async (name: string) => (await t.http('GET', `${PDBS}/${name}`)).json;
  const evict = (name: string, body: unknown = eviction(name), query = '') => t.http('POST', `${PODS}/${name}/eviction${query}`, { body });
  /** Waits until the PDB's status matches (the controller writes on the next tick after a pod change). */
  const statusOf = async (name: string, want: Record<string, unknown>, timeoutMs = 15_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const o = await get(name);
      const ok = Object.entries(want).every(([k, v]) => JSON.stringify(o.status?.[k]) === JSON.stringify(v));
      if (ok || Date.now() > end) return o;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    t = await startTestAgent({ podNetwork: false });
  });
  afterAll(async () => t?.stop());

  it('serves policy/v1 poddisruptionbudgets and pods/eviction in discovery', async () => {
    const core = (await t.http('GET', '/api/v1')).json.resources;
    expect(core.find((r: any) => r.name === 'pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' });
    expect((await t.http('GET', '/apis')).json.groups).toContainEqual({ name: 'policy', versions: [{ groupVersion: 'policy/v1', version: 'v1' }], preferredVersion: { groupVersion: 'policy/v1', version: 'v1' } });
    const policy = (await t.http('GET', '/apis/policy/v1')).json.resources;
    expect(policy.map((r: any) => r.name)).toEqual(['poddisruptionbudgets', 'poddisruptionbudgets/status']);
    expect(policy[0]).toMatchObject({ kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], singularName: 'poddisruptionbudget' });
  });

  it('validates PDBs as the API server does, and starts them at generation 1 with an empty status', async () => {
    const both = await t.http('POST', PDBS, { body: pdb('bad', 'web', { minAvailable: 1, maxUnavailable: 1 }) });
    expect(both.status).toBe(422);
    expect(both.json.message).toBe('PodDisruptionBudget "bad" is invalid: spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set');
    const pct = await t.http('POST', PDBS, { body: pdb('bad', 'web', { minAvailable: '120%' }) });
    expect(pct.json.message).toBe('PodDisruptionBudget "bad" is invalid: spec.minAvailable: Invalid value: "120%": must not be greater than 100%');

    const created = await t.http('POST', PDBS, { body: pdb('web', 'web', { minAvailable: 2 }) });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default', generation: 1 }, spec: { minAvailable: 2 } });
    expect(created.json.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    // No pods yet: the controller's first status, allowing nothing.
    const first = await statusOf('web', { observedGeneration: 1 });
    expect(first.status).toMatchObject({ observedGeneration: 1, disruptionsAllowed: 0, expectedPods: 0, desiredHealthy: 2 });
    expect(first.status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: expect.any(String), reason: 'InsufficientPods', message: '' }]);
  });

  it('computes the budget of 3 ready pods behind minAvailable 2 and prints its table', async () => {
    for (const n of ['web-a', 'web-b', 'web-c']) expect((await t.http('POST', PODS, { body: pod(n, 'web') })).status).toBe(201);
    for (const n of ['web-a', 'web-b', 'web-c']) await waitForApiPod(t.agent, 'default', n, isReady);
    const o = await statusOf('web', { disruptionsAllowed: 1, currentHealthy: 3 });
    expect(o.status).toMatchObject({ observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });
    expect(o.status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });
    const table = (await t.http('GET', PDBS, { accept: TABLE })).json;
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['web', '2', 'N/A', 1]);
  });

  it('a dry run is granted and changes nothing', async () => {
    const before = await get('web');
    const dry = await evict('web-a', eviction('web-a', 'policy/v1', { dryRun: ['All'] }));
    expect(dry.status).toBe(201);
    expect((await evict('web-a', eviction('web-a'), '?dryRun=All')).status).toBe(201);
    expect(t.agent.kubelet.getPod('default', 'web-a')!.metadata!.deletionTimestamp).toBeUndefined();
    expect((await get('web')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('evicts one pod: budget spent (disruptedPods), pod deleted gracefully; the next one gets the 429', async () => {
    const watch = collectWatch(t, `${PDBS}?watch=1&fieldSelector=metadata.name%3Dweb&resourceVersion=${(await get('web')).metadata.resourceVersion}`, (evs) =>
      evs.some((e) => e.object.status?.disruptedPods?.['web-a']),
    );
    const ok = await evict('web-a', eviction('web-a', 'policy/v1', { gracePeriodSeconds: 1 }));
    expect(ok.status).toBe(201);
    expect(ok.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    expect(t.agent.kubelet.getPod('default', 'web-a')?.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 1 });
    const spent = (await watch).find((e) => e.object.status?.disruptedPods?.['web-a']).object.status;
    expect(spent).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2 });
    expect(spent.conditions[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    // The controller sees the pod terminating: out of disruptedPods and out of currentHealthy.
    const after = await statusOf('web', { currentHealthy: 2, disruptionsAllowed: 0 });
    expect(after.status.disruptedPods).toBeUndefined();

    for (const body of [eviction('web-b'), eviction('web-b', 'policy/v1beta1')]) {
      const refused = await evict('web-b', body);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeUndefined();
      expect(refused.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: VIOLATES,
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] },
        code: 429,
      });
    }
    expect(t.agent.kubelet.getPod('default', 'web-b')!.metadata!.deletionTimestamp).toBeUndefined();
    // A pod already terminating is deleted without a look at its budget.
    expect((await evict('web-a')).status).toBe(201);
  });

  it('a pod that is not Ready: evicted free while the budget is healthy (IfHealthyBudget), 429 otherwise, AlwaysAllow lets it go', async () => {
    expect((await t.http('POST', PODS, { body: pod('web-sick', 'web', false) })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'web-sick', isRunningUnready);
    await statusOf('web', { expectedPods: 4, currentHealthy: 2 });
    // currentHealthy 2 >= desiredHealthy 2: deleted without spending anything.
    expect((await evict('web-sick')).status).toBe(201);
    expect(t.agent.kubelet.getPod('default', 'web-sick')?.metadata?.deletionTimestamp).toEqual(expect.any(String));
    expect((await get('web')).status.disruptedPods).toBeUndefined();

    expect((await t.http('POST', PDBS, { body: pdb('strict', 'strict', { minAvailable: 2 }) })).status).toBe(201);
    for (const [n, ready] of [['strict-ok', true], ['strict-sick', false]] as const) expect((await t.http('POST', PODS, { body: pod(n, 'strict', ready) })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'strict-ok', isReady);
    await waitForApiPod(t.agent, 'default', 'strict-sick', isRunningUnready);
    await statusOf('strict', { expectedPods: 2, currentHealthy: 1, desiredHealthy: 2 });
    const refused = await evict('strict-sick');
    expect(refused.status).toBe(429);
    expect(refused.json.details.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget strict needs 2 healthy pods and has 1 currently' }]);

    const patched = await t.http('PATCH', `${PDBS}/strict`, { body: { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.generation).toBe(2);
    await statusOf('strict', { observedGeneration: 2 });
    expect((await evict('strict-sick')).status).toBe(201);
    // The ready one still needs the budget.
    expect((await evict('strict-ok')).status).toBe(429);
  });

  it('refuses a pod with two budgets (500), and answers 404, 400 and 405 as the API server does', async () => {
    expect((await t.http('POST', PDBS, { body: pdb('web-too', 'web', { maxUnavailable: 1 }) })).status).toBe(201);
    const two = await evict('web-c');
    expect(two.status).toBe(500);
    expect(two.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 });
    expect((await t.http('DELETE', `${PDBS}/web-too`)).status).toBe(200);

    const missing = await evict('nope');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('pods "nope" not found');
    const mismatch = await evict('web-c', eviction('web-b'));
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toBe('name in URL does not match name in Eviction object');
    expect((await t.http('GET', `${PODS}/web-c/eviction`)).status).toBe(405);
    const stale = await evict('web-c', eviction('web-c', 'policy/v1', { preconditions: { uid: 'not-the-uid' } }));
    expect(stale.status).toBe(409);
  });

  it('decodes a protobuf Eviction (client-go\'s typed clients), its DeleteOptions included', async () => {
    expect((await t.http('POST', PODS, { body: pod('free', 'free') })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'free', isReady);
    const ld = (no: number, v: Buffer | string) => {
      const b = Buffer.from(v);
      return Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
    };
    const typeMeta = Buffer.concat([ld(1, 'policy/v1'), ld(2, 'Eviction')]);
    const raw = Buffer.concat([ld(1, Buffer.concat([ld(1, 'free'), ld(3, 'default')])), ld(2, Buffer.from([(1 << 3) | 0, 1]))]);
    const body = Buffer.concat([Buffer.from('k8s\0'), ld(1, typeMeta), ld(2, raw)]);
    const r = await t.http('POST', `${PODS}/free/eviction`, { body: body.toString('latin1'), contentType: 'application/vnd.kubernetes.protobuf' });
    expect(r.status, r.text).toBe(201);
    expect(t.agent.kubelet.getPod('default', 'free')?.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 1 });
  });

  it('status updates are validated and keep the spec', async () => {
    const o = await get('web');
    const bad = await t.http('PUT', `${PDBS}/web/status`, { body: { ...o, status: { ...o.status, disruptionsAllowed: -1 } } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('PodDisruptionBudget "web" is invalid: status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0');
    expect((await t.http('DELETE', `${PDBS}/strict`)).status).toBe(200);
    expect((await t.http('GET', `${PDBS}/strict`)).status).toBe(404);
  });
});

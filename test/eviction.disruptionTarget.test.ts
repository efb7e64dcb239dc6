// The DisruptionTarget condition: an eviction through pods/eviction, and a NoExecute taint
// eviction, write it into the pod's status before the graceful delete (eviction.go and
// taint_eviction.go addConditionAndDeletePod), with their reasons and messages; a dry run does not;
// kubectl describe shows it among the pod's conditions.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { collectWatch, isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_132, writeKubeconfig } from './helpers/kubectl.js';

const PODS = '/api/v1/namespaces/default/pods';

/** PID 1 ignores SIGTERM: the pod stays Terminating for its whole grace period, long enough to look at it. */
const slowPod = (name: string, grace = 20) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
});

const disruption = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');

describe('DisruptionTarget', () => {
  let t: TestAgent;
  let dir: string;
  const create = async (body: unknown) => expect((await t.http('POST', PODS, { body })).status).toBe(201);
  const evict = (name: string, query = '') => t.http('POST', `${PODS}/${name}/eviction${query}`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } } });

  beforeAll(async () => {
    t = await startTestAgent({ podNetwork: false });
    dir = mkdtempSync(join(tmpdir(), 'tinylet-disruption-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an eviction sets it (EvictionByEvictionAPI) before the graceful delete; kubectl describe shows it', async () => {
    await create(slowPod('evicted'));
    const running = (await waitForApiPod(t.agent, 'default', 'evicted', isRunning))!;
    // Watched from the pod's current version: the condition's MODIFIED comes before the deletion's.
    const watch = collectWatch(t, `${PODS}?watch=1&fieldSelector=metadata.name%3Devicted&resourceVersion=${running.metadata!.resourceVersion}`, (ev) => ev.some((e) => e.object.metadata.deletionTimestamp));
    const before = Date.now();
    const r = await evict('evicted');
    expect([r.status, r.json.status]).toEqual([201, 'Success']);
    const events = await watch;
    const firstMarked = events.findIndex((e) => disruption(e.object));
    const firstDeleting = events.findIndex((e) => e.object.metadata.deletionTimestamp);
    expect(firstMarked).toBeGreaterThanOrEqual(0);
    expect(firstMarked).toBeLessThan(firstDeleting);
    const cond = disruption(events[firstDeleting].object)!;
    expect(cond).toEqual({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    expect(Date.parse(cond.lastTransitionTime!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // The API's pod while it terminates: the kubelet keeps the condition through its status updates.
    const now = (await t.http('GET', `${PODS}/evicted`)).json as Pod;
    expect(disruption(now)).toEqual(cond);
    if (existsSync(KUBECTL_132)) {
      const kubeconfig = await writeKubeconfig(t, dir);
      const d = await execa(KUBECTL_132, ['--kubeconfig', kubeconfig, 'describe', 'pod', 'evicted'], { reject: false, env: { HOME: dir } });
      expect(d.exitCode).toBe(0);
      const conditions = /\nConditions:\n([\s\S]*?)\n\S/.exec(d.stdout)?.[1] ?? '';
      expect(conditions).toMatch(/^\s+Type\s+Status\s*$/m);
      expect(conditions).toMatch(/^\s+DisruptionTarget\s+True\s*$/m);
    }
  }, 60_000);

  it('a dry-run eviction leaves the pod as it is', async () => {
    await create(slowPod('dry', 0));
    await waitForApiPod(t.agent, 'default', 'dry', isRunning);
    expect((await evict('dry', '?dryRun=All')).status).toBe(201);
    const pod = (await t.http('GET', `${PODS}/dry`)).json as Pod;
    expect([disruption(pod), pod.metadata?.deletionTimestamp]).toEqual([undefined, undefined]);
  }, 60_000);

  it('a NoExecute taint eviction sets it (DeletionByTaintManager)', async () => {
    await create(slowPod('tainted', 2));
    await waitForApiPod(t.agent, 'default', 'tainted', isRunning);
    const node = t.config.nodeName;
    const patch = (body: unknown) => t.http('PATCH', `/api/v1/nodes/${node}`, { body, contentType: 'application/merge-patch+json' });
    expect((await patch({ spec: { taints: [{ key: 'evict', value: 'now', effect: 'NoExecute' }] } })).status).toBe(200);
    try {
      const pod = await waitForApiPod(t.agent, 'default', 'tainted', (p) => !!p?.metadata?.deletionTimestamp, 15_000);
      expect(disruption(pod)).toEqual({
        type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String),
        reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
      });
    } finally {
      await patch({ spec: { taints: null } });
    }
  }, 60_000);
});

// PodMetrics valid on the first request: CPU is a rate over a window tinylet measures itself (two
// readings at least 250 ms apart when it has no earlier one), reported with its `window` and its
// end as `timestamp`, as metrics-server reports its scrape window. A busy loop capped at 500m reads
// well above 100m from the very first `top`.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { milliCores } from '../src/cli/top.js';
import { cli, isRunning, KUBECTL, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const pods = '/api/v1/namespaces/default/pods';
const metrics = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods';

function pod(name: string, command: string, cpu?: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 0, ...spec, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command], ...(cpu ? { resources: { limits: { cpu } } } : {}) }] },
  };
}

/** Go's time.Duration.String() of a window ("250ms", "1.503s", "1m2.5s") in milliseconds. */
function windowMs(text: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$|^(\d+)ms$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return m[3] !== undefined ? Number(m[3]) : Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000;
}

describe('pod metrics (kubectl top)', () => {
  let t: TestAgent;
  let dir: string;
  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-top-'));
    for (const p of [pod('busy', 'while :; do :; done', '500m'), pod('busy2', 'while :; do :; done', '500m'), pod('idle', 'sleep 3600')]) await t.http('POST', pods, { body: p });
    for (const name of ['busy', 'busy2', 'idle']) await waitForApiPod(t.agent, 'default', name, isRunning);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a busy container above 100m on the first request, with an honest window and timestamp', async () => {
    const started = Date.now();
    const first = await t.http('GET', `${metrics}/busy`);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'busy', namespace: 'default' } });
    const cpu = milliCores(first.json.containers[0].usage.cpu);
    expect(cpu).toBeGreaterThan(100);
    // Capped by the CFS quota at 500m (a little over for the window's edges).
    expect(cpu).toBeLessThan(650);
    expect(first.json.containers[0].usage.memory).toMatch(/^[1-9]\d*Ki$/);
    const w = windowMs(first.json.window);
    expect(w).toBeGreaterThanOrEqual(250);
    expect(w).toBeLessThan(2000);
    const end = Date.parse(first.json.timestamp);
    // RFC 3339 in whole seconds: the end lies within the request.
    expect(end).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(end).toBeLessThanOrEqual(Date.now());

    // The next request measures from the end of this one.
    await new Promise((r) => setTimeout(r, 600));
    const second = await t.http('GET', `${metrics}/busy`);
    expect(windowMs(second.json.window)).toBeGreaterThanOrEqual(550);
    expect(milliCores(second.json.containers[0].usage.cpu)).toBeGreaterThan(100);
  });

  it('lists Running pods only, the idle one near 0m', async () => {
    await t.http('POST', pods, { body: pod('done', 'true', undefined, { restartPolicy: 'Never' }) });
    const list = await t.http('GET', metrics);
    expect(list.json.kind).toBe('PodMetricsList');
    const byName = Object.fromEntries(list.json.items.map((i: any) => [i.metadata.name, i]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['busy', 'busy2', 'idle']));
    expect(milliCores(byName.idle.containers[0].usage.cpu)).toBeLessThan(50);
    expect(milliCores(byName.busy2.containers[0].usage.cpu)).toBeGreaterThan(100);
    await waitForApiPod(t.agent, 'default', 'done', (p) => p?.status?.phase === 'Succeeded');
    const none = await t.http('GET', `${metrics}/done`);
    expect(none.json).toMatchObject({ code: 404, message: 'podmetrics.metrics.k8s.io "default/done" not found', details: { name: 'default/done', group: 'metrics.k8s.io', kind: 'podmetrics' } });
  });

  it('stock kubectl top reads a fresh busy pod above 100m at once', async () => {
    await t.http('POST', pods, { body: pod('fresh', 'while :; do :; done', '500m') });
    await waitForApiPod(t.agent, 'default', 'fresh', isRunning);
    const kubeconfig = join(dir, 'kubeconfig');
    expect((await cli(t, ['kubeconfig', '-o', kubeconfig])).exitCode).toBe(0);
    const top = await execa(KUBECTL, ['--kubeconfig', kubeconfig, 'top', 'pod', 'fresh'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    expect(top.stderr).toBe('');
    const m = /\nfresh\s+(\d+)m\s+(\d+)Mi/.exec(top.stdout);
    expect(m, top.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(100);
  });
});

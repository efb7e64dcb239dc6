// Aggregated events through the API: a repeat reaches watchers as MODIFIED (same object, count up),
// lists show one object with its count, and the stock kubectl's describe prints "(xN over ...)".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, collectWatch, KUBECTL, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const events = '/api/v1/namespaces/default/events';

describe('aggregated events over the API', () => {
  let t: TestAgent;
  let dir: string;
  beforeAll(async () => {
    t = await startTestAgent({ crashLoopBackOff: { initialDelayMs: 100, maxContainerRestartPeriodMs: 400 } });
    dir = mkdtempSync(join(tmpdir(), 'tinylet-events-'));
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a crash loop\'s BackOff is one object whose updates a watch sees as MODIFIED; describe shows its count', async () => {
    const list = await t.http('GET', events);
    const watching = collectWatch(
      t,
      `${events}?watch=true&fieldSelector=involvedObject.name%3Dcrasher&resourceVersion=${list.json.metadata.resourceVersion}`,
      (evs) => evs.some((e) => e.type === 'MODIFIED' && e.object.reason === 'BackOff' && e.object.count >= 3),
      30_000,
    );
    const created = await t.http('POST', '/api/v1/namespaces/default/pods', {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crasher' }, spec: { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] } },
    });
    expect(created.status).toBe(201);
    // The create's answer is the API server's object, before the kubelet's first sync.
    expect(created.json.status).toMatchObject({ phase: 'Pending' });
    expect(created.json.status.containerStatuses).toBeUndefined();
    const seen = await watching;
    const backOffs = seen.filter((e) => e.object.reason === 'BackOff');
    expect(backOffs[0]).toMatchObject({ type: 'ADDED', object: { count: 1 } });
    expect(new Set(backOffs.map((e) => e.object.metadata.name)).size).toBe(1);
    expect(backOffs.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true);
    const counts = backOffs.map((e) => e.object.count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const rvs = backOffs.map((e) => Number(e.object.metadata.resourceVersion));
    expect(new Set(rvs).size).toBe(rvs.length);

    await waitForApiPod(t.agent, 'default', 'crasher', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 8, 30_000);
    const now = (await t.http('GET', `${events}?fieldSelector=involvedObject.name%3Dcrasher`)).json.items;
    const backOff = now.filter((e: any) => e.reason === 'BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0].count).toBeGreaterThanOrEqual(7);
    expect(backOff[0].series).toEqual({ count: backOff[0].count, lastObservedTime: expect.stringMatching(/\.\d{6}Z$/) });

    const kubeconfig = join(dir, 'kubeconfig');
    expect((await cli(t, ['kubeconfig', '-o', kubeconfig])).exitCode).toBe(0);
    const described = await execa(KUBECTL, ['--kubeconfig', kubeconfig, 'describe', 'pod', 'crasher'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    expect(described.stderr).toBe('');
    expect(described.stdout).toMatch(/\n {2}Warning {2}BackOff +\S+ \(x\d+ over \S+\) +kubelet(, \S+)? +Back-off restarting failed container/);
    const eventLines = described.stdout.slice(described.stdout.indexOf('Events:')).trim().split('\n');
    expect(eventLines.length).toBeLessThan(30);
  });
});

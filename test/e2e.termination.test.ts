import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, logOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const running = (name = '') => (p: import('../src/api/types.js').Pod) =>
  (p.status?.containerStatuses ?? []).some((c) => (!name || c.name === name) && c.state?.running !== undefined);

describe('termination clock on real processes', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('an app that traps SIGTERM exits 0 quickly', async () => {
    node = testNode();
    const w = node.run(
      podManifest('trapper', {
        terminationGracePeriodSeconds: 10,
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "echo draining; exit 0" TERM; echo ready; while true; do sleep 0.1; done'] }],
      }),
    );
    await waitForPod(node, w, running());
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    node.kubelet.deletePod('default', 'trapper');
    await w.done;
    const took = Date.now() - t0;
    const t = w.pod.status!.containerStatuses![0].state!.terminated!;
    expect(t.exitCode).toBe(0);
    expect(t.reason).toBe('Completed');
    expect(took).toBeLessThan(3000);
    expect(logOf(node, w, 'app')).toEqual(['ready', 'draining']);
    const reasons = eventsOf(node, w).map((e) => e.reason);
    expect(reasons).toContain('Signal');
    expect(reasons).not.toContain('ExceededGracePeriod');
  });

  it('sleep as PID 1 ignores SIGTERM and is SIGKILLed at the grace deadline with 137', async () => {
    node = testNode();
    const w = node.run(podManifest('sleeper', { terminationGracePeriodSeconds: 3, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running());
    node.kubelet.deletePod('default', 'sleeper');
    await w.done;
    const t = w.pod.status!.containerStatuses![0].state!.terminated!;
    expect(t.exitCode).toBe(137);
    expect(t.signal).toBe(9);
    expect(t.reason).toBe('Error');
    const ev = eventsOf(node, w);
    const sigterm = ev.find((e) => e.reason === 'Signal')!;
    const killed = ev.find((e) => e.reason === 'ExceededGracePeriod')!;
    expect(sigterm.message).toMatch(/SIGTERM/);
    expect(killed.at - sigterm.at).toBeGreaterThanOrEqual(2900);
    expect(killed.at - sigterm.at).toBeLessThan(3800);
  });

  it('a grace period below 2 s still gives the container 2 s before SIGKILL', async () => {
    node = testNode();
    const w = node.run(podManifest('short', { containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running());
    node.kubelet.deletePod('default', 'short', { gracePeriodSeconds: 1 });
    await w.done;
    const ev = eventsOf(node, w);
    const gap = ev.find((e) => e.reason === 'ExceededGracePeriod')!.at - ev.find((e) => e.reason === 'Signal')!.at;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(gap).toBeLessThan(2800);
  });

  it('no process of the pod survives deletion, however deep', async () => {
    node = testNode();
    const marker = String(40000 + Math.floor(Math.random() * 9999));
    const w = node.run(
      podManifest('forker', {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', `sleep ${marker} & (sleep ${marker} &) ; setsid sleep ${marker} & nohup sh -c "sleep ${marker}" >/dev/null 2>&1 & exec sleep ${marker}`] }],
      }),
    );
    await waitForPod(node, w, running());
    await new Promise((r) => setTimeout(r, 300));
    const before = pgrep(`sleep ${marker}`);
    const pausePid = w.sandbox!.pid;
    expect(before.length).toBeGreaterThanOrEqual(4);
    node.kubelet.deletePod('default', 'forker');
    await w.done;
    expect(pgrep(`sleep ${marker}`)).toEqual([]);
    expect(existsSync(`/proc/${pausePid}`)).toBe(false);
  });

  it('--force --grace-period=0 removes the object at once, skips preStop and kills after 2 s', async () => {
    node = testNode();
    const w = node.run(
      podManifest('forced', {
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop > /proc/1/fd/1'] } } } }],
      }),
    );
    await waitForPod(node, w, running());
    node.kubelet.deletePod('default', 'forced', { gracePeriodSeconds: 0, force: true });
    expect(node.kubelet.getPod('default', 'forced')).toBeUndefined();
    await w.done;
    const ev = eventsOf(node, w);
    expect(ev.map((e) => e.reason)).not.toContain('PreStopHook');
    const gap = ev.find((e) => e.reason === 'ExceededGracePeriod')!.at - ev.find((e) => e.reason === 'Signal')!.at;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(gap).toBeLessThan(2800);
  });
});

function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

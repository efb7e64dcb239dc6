import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const running = (name: string) => (p: Pod) => [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].some((c) => c.name === name && c.state?.running !== undefined);
/**
 * performance.now() milliseconds as epoch milliseconds, from the clocks' offset now: not from
 * performance.timeOrigin, which drifts from Date.now() by milliseconds over a long-lived process.
 */
const wall = (perfMs: number) => Date.now() - (performance.now() - perfMs);

describe('SIGKILL at the grace deadline, sent by the launcher', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('kills a container ignoring SIGTERM on time, sees the exit at once and records the real times', async () => {
    node = testNode();
    const w = node.run(podManifest('ignorer', { containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running('sleep'));
    const r = w.records[0]!;
    node.kubelet.deletePod('default', 'ignorer', { gracePeriodSeconds: 1 });
    await w.done;
    const t = r.lastStop!;
    // Grace 1 s is raised to the 2 s minimum; the deadline is on the monotonic clock.
    expect(t.deadline).toBeDefined();
    expect(t.killSent! - t.deadline!).toBeGreaterThanOrEqual(0);
    expect(t.killSent! - t.deadline!).toBeLessThan(50);
    const relative = JSON.stringify({ killSent: t.killSent! - t.deadline!, exited: t.exited! - t.deadline!, exitSeen: t.exitSeen! - t.deadline! });
    expect(t.exitSeen! - t.deadline!, relative).toBeLessThan(150);
    const ev = eventsOf(node, w);
    const signal = ev.find((e) => e.reason === 'Signal')!;
    const killed = ev.find((e) => e.reason === 'ExceededGracePeriod')!;
    expect(signal.message).toMatch(/Sent SIGTERM .*; SIGKILL in 2s/);
    expect(killed.message).toMatch(/did not exit within 2s of SIGTERM; sent SIGKILL/);
    // The event carries the launcher's time of the SIGKILL (events keep milliseconds).
    expect(Math.abs(killed.at - wall(t.killSent!))).toBeLessThanOrEqual(2);
    expect(killed.at - signal.at).toBeGreaterThanOrEqual(1990);
    expect(killed.at - signal.at).toBeLessThan(2050);
    const term = w.pod.status!.containerStatuses![0]!.state!.terminated!;
    expect(term.exitCode).toBe(137);
    // finishedAt (whole seconds) is the second the launcher's wait returned.
    expect(new Date(term.finishedAt!).getTime()).toBe(Math.floor(wall(t.exited!) / 1000) * 1000);
  });

  it('the SIGKILL lands on time while the agent event loop is blocked, and is recorded at that time', async () => {
    node = testNode();
    const w = node.run(podManifest('blocked', { containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running('sleep'));
    const r = w.records[0]!;
    node.kubelet.deletePod('default', 'blocked', { gracePeriodSeconds: 2 });
    await waitUntil(() => r.lastStop?.deadline !== undefined, 5000);
    const deadline = r.lastStop!.deadline!;
    // The agent does nothing at all from 100 ms before the deadline to 400 ms after it.
    await new Promise((res) => setTimeout(res, Math.max(0, deadline - 100 - performance.now())));
    while (performance.now() < deadline + 400) {
      /* busy: no timer of the agent can fire */
    }
    await w.done;
    const t = r.lastStop!;
    expect(t.killSent! - deadline).toBeGreaterThanOrEqual(0);
    expect(t.killSent! - deadline).toBeLessThan(50);
    // The exit happened long before the agent could read it, and is recorded when it happened.
    expect(t.exited! - deadline).toBeLessThan(150);
    expect(t.exitSeen! - deadline).toBeGreaterThanOrEqual(400);
    const killed = eventsOf(node, w).find((e) => e.reason === 'ExceededGracePeriod')!;
    expect(Math.abs(killed.at - wall(t.killSent!))).toBeLessThanOrEqual(2);
  });

  it('without the launcher deadline (its thread missing), the agent signals and kills on its own timer', async () => {
    node = testNode();
    const w = node.run(podManifest('fallback', { containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running('sleep'));
    const r = w.records[0]!;
    // What a "no-deadline" report from the launcher does.
    r.process!.stopControl!.available = false;
    node.kubelet.deletePod('default', 'fallback', { gracePeriodSeconds: 2 });
    await w.done;
    const t = r.lastStop!;
    expect(t.killSent! - t.deadline!).toBeGreaterThanOrEqual(0);
    expect(t.killSent! - t.deadline!).toBeLessThan(150);
    const ev = eventsOf(node, w);
    expect(ev.find((e) => e.reason === 'ExceededGracePeriod')!.message).toMatch(/within 2s of SIGTERM; sent SIGKILL/);
    expect(w.pod.status!.containerStatuses![0]!.state!.terminated?.exitCode).toBe(137);
  });
});

describe('the stop path', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('each sidecar gets what is left of the pod grace when its turn comes, and its message says so', async () => {
    node = testNode();
    const w = node.run(
      podManifest('sidecars', {
        terminationGracePeriodSeconds: 4,
        initContainers: [
          { name: 'first', image: 'busybox', command: ['sleep', '3600'], restartPolicy: 'Always' },
          { name: 'second', image: 'busybox', command: ['sleep', '3600'], restartPolicy: 'Always' },
        ],
        // The app takes 1.2 s of the grace to stop.
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "sleep 1.2; exit 0" TERM; echo trapped; while true; do sleep 0.1; done'] }],
      }),
    );
    await waitForPod(node, w, running('app'));
    // Deleted once the trap is set: before that, sh as PID 1 ignores SIGTERM.
    await waitUntil(() => logOf(node, w, 'app').includes('trapped'));
    const deleted = Date.now();
    node.kubelet.deletePod('default', 'sidecars');
    await w.done;
    const ev = eventsOf(node, w);
    const signalOf = (name: string) => ev.find((e) => e.reason === 'Signal' && e.message.includes(`container ${name} `))!;
    const killOf = (name: string) => ev.find((e) => e.reason === 'ExceededGracePeriod' && e.message.includes(`Container ${name} `));
    // Reverse order of start: "second" once the app is gone (4 - 1 whole second waited = 3 s) ...
    expect(signalOf('second').message).toMatch(/SIGKILL in 3s/);
    expect(signalOf('second').at - deleted).toBeGreaterThanOrEqual(1200);
    expect(killOf('second')!.at - signalOf('second').at).toBeGreaterThanOrEqual(2990);
    expect(killOf('second')!.at - signalOf('second').at).toBeLessThan(3100);
    // ... then "first", once the pod's grace is all used: the 2 s minimum, not the 3 s "second" had.
    expect(signalOf('first').message).toMatch(/SIGKILL in 2s/);
    expect(killOf('first')!.at - signalOf('first').at).toBeGreaterThanOrEqual(1990);
    expect(killOf('first')!.at - signalOf('first').at).toBeLessThan(2100);
  }, 30_000);

  it('a force delete during the container creation reports Created and Started before Killing', async () => {
    node = testNode();
    const w = node.run(podManifest('midcreate', { containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] }));
    const r = w.records[0]!;
    // Polled on every turn of the event loop: creation (launcher, mounts) takes tens of milliseconds.
    while (!r.creating) await new Promise((res) => setImmediate(res));
    node.kubelet.deletePod('default', 'midcreate', { gracePeriodSeconds: 0, force: true });
    expect(r.creating).toBe(true);
    await w.done;
    const reasons = eventsOf(node, w).map((e) => e.reason);
    expect(reasons.indexOf('Created')).toBeGreaterThanOrEqual(0);
    expect(reasons.indexOf('Created')).toBeLessThan(reasons.indexOf('Started'));
    expect(reasons.indexOf('Started')).toBeLessThan(reasons.indexOf('Killing'));
    expect(reasons.indexOf('Killing')).toBeLessThan(reasons.indexOf('Signal'));
    expect(w.pod.status!.containerStatuses![0]!.state!.terminated?.exitCode).toBe(137);
  });
});

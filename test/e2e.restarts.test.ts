import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const status = firstContainer;

describe('restart policies and CrashLoopBackOff on real processes', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('restart gaps follow 0, initial, 2x, 4x up to the cap, measured from the previous exit', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 250, maxContainerRestartPeriodMs: 1000 } });
    const w = node.run(podManifest('crasher', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] }));
    await waitForPod(node, w, (p) => status(p).restartCount! >= 6 && status(p).state?.running !== undefined, 15_000);
    const ev = eventsOf(node, w);
    const exits = ev.filter((e) => e.reason === 'Exited').map((e) => e.at);
    // Pulled marks the restart decision, before the launch itself (whose latency is not the back-off).
    const starts = ev.filter((e) => e.reason === 'Pulled').map((e) => e.at);
    const gaps = exits.slice(0, 5).map((exitAt, i) => starts[i + 1] - exitAt);
    const expected = [0, 250, 500, 1000, 1000];
    gaps.forEach((gap, i) => {
      expect(gap, `gap ${i}: ${gaps.join(', ')}`).toBeGreaterThanOrEqual(expected[i] - 20);
      expect(gap, `gap ${i}: ${gaps.join(', ')}`).toBeLessThan(expected[i] + 300);
    });
    const backoffs = ev.filter((e) => e.reason === 'BackOff');
    expect(backoffs[0].message).toMatch(/^Back-off restarting failed container c in pod crasher_default\(/);
  });

  it('shows CrashLoopBackOff with the kubelet message while waiting, lastState holds the previous exit', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 3000, maxContainerRestartPeriodMs: 6000 } });
    const w = node.run(podManifest('looper', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 2'] }] }));
    const p = await waitForPod(node, w, (x) => status(x).state?.waiting?.reason === 'CrashLoopBackOff');
    const s = status(p);
    expect(s.state!.waiting!.message).toMatch(/^back-off 3s restarting failed container=c pod=looper_default\(.+\)$/);
    expect(s.lastState!.terminated!.exitCode).toBe(2);
    expect(s.lastState!.terminated!.reason).toBe('Error');
    expect(s.restartCount).toBe(1);
    expect(p.status!.phase).toBe('Running');
  });

  it('resets the backoff after the container ran for twice the cap', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 250, maxContainerRestartPeriodMs: 1000 } });
    const script = 'n=$(cat /data/n 2>/dev/null || echo 0); echo $((n+1)) > /data/n; if [ "$n" = 3 ]; then sleep 2.3; fi; exit 1';
    const w = node.run(
      podManifest('resetter', {
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    await waitForPod(node, w, (p) => status(p).restartCount! >= 7 && status(p).state?.running !== undefined, 20_000);
    const ev = eventsOf(node, w);
    const exits = ev.filter((e) => e.reason === 'Exited').map((e) => e.at);
    // Pulled marks the restart decision, before the launch itself (whose latency is not the back-off).
    const starts = ev.filter((e) => e.reason === 'Pulled').map((e) => e.at);
    const gaps = exits.slice(0, 6).map((exitAt, i) => starts[i + 1] - exitAt);
    // runs 0..2 crash at once (0, 250, 500), run 3 lives 2.3 s >= 2 x 1 s cap: the curve starts over.
    const expected = [0, 250, 500, 0, 250, 500];
    gaps.forEach((gap, i) => {
      expect(gap, `gaps ${gaps.join(', ')}`).toBeGreaterThanOrEqual(expected[i] - 20);
      expect(gap, `gaps ${gaps.join(', ')}`).toBeLessThan(expected[i] + 300);
    });
  });

  it('Never, OnFailure and Always with exit 0 and exit 1 give the right phases and restart counts', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 5000, maxContainerRestartPeriodMs: 10_000 } });
    const cases = [
      { policy: 'Never', code: 0, phase: 'Succeeded', restarts: 0 },
      { policy: 'Never', code: 1, phase: 'Failed', restarts: 0 },
      { policy: 'OnFailure', code: 0, phase: 'Succeeded', restarts: 0 },
      { policy: 'OnFailure', code: 1, phase: 'Running', restarts: 1 },
      { policy: 'Always', code: 0, phase: 'Running', restarts: 1 },
      { policy: 'Always', code: 1, phase: 'Running', restarts: 1 },
    ];
    const workers = cases.map((c) =>
      node.run(
        podManifest(`${c.policy.toLowerCase()}-${c.code}`, {
          restartPolicy: c.policy,
          containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `sleep 0.2; exit ${c.code}`] }],
        }),
      ),
    );
    await Promise.all(
      workers.map((w, i) =>
        waitForPod(node, w, (p) => {
          const s = status(p);
          if (cases[i].restarts > 0) return s.restartCount === 1 && s.state?.waiting?.reason === 'CrashLoopBackOff';
          return p.status!.phase === cases[i].phase;
        }),
      ),
    );
    workers.forEach((w, i) => {
      expect(w.pod.status!.phase, w.key).toBe(cases[i].phase);
      expect(status(w.pod).restartCount, w.key).toBe(cases[i].restarts);
    });
    expect(status(workers[1].pod).state!.terminated!.reason).toBe('Error');
    expect(status(workers[0].pod).state!.terminated!.reason).toBe('Completed');
    expect(workers[0].pod.status!.conditions!.find((c) => c.type === 'Ready')!.reason).toBe('PodCompleted');
  });
});

describe('activeDeadlineSeconds', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('fails the pod with DeadlineExceeded and stops its containers', async () => {
    node = testNode();
    const w = node.run(
      podManifest('deadline', {
        activeDeadlineSeconds: 1,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }],
      }),
    );
    await w.done;
    expect(w.pod.status!.phase).toBe('Failed');
    expect(w.pod.status!.reason).toBe('DeadlineExceeded');
    expect(status(w.pod).state!.terminated!.exitCode).toBe(0);
    expect(eventsOf(node, w).map((e) => e.reason)).toContain('DeadlineExceeded');
  });

  it('an update that shortens the deadline takes effect', async () => {
    node = testNode();
    const w = node.run(podManifest('shorten', { activeDeadlineSeconds: 300, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, (p) => status(p).state?.running !== undefined);
    const t0 = Date.now();
    node.kubelet.updatePod('default', 'shorten', { ...w.pod, spec: { ...w.pod.spec!, activeDeadlineSeconds: 1 } });
    await waitForPod(node, w, (p) => p.status?.reason === 'DeadlineExceeded');
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});

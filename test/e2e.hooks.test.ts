import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstRunning, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';


describe('lifecycle hooks', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('postStart writes a file the app can read, before the container is reported running (hook-demo)', async () => {
    node = testNode();
    const w = node.run(
      podManifest('hook-demo', {
        containers: [
          {
            name: 'ng',
            image: 'nginx',
            lifecycle: { postStart: { exec: { command: ['/bin/sh', '-c', 'sleep 0.5; echo hello from postStart handler > /usr/share/nginx/html/hello.html'] } } },
          },
        ],
      }),
    );
    const pod = await waitForPod(node, w, firstRunning);
    const reportedRunningAt = Date.now();
    const startedAt = eventsOf(node, w).find((e) => e.reason === 'Started')!.at;
    expect(reportedRunningAt - startedAt).toBeGreaterThanOrEqual(450);
    const body = await fetch(`http://${pod.status!.podIP}/hello.html`).then((r) => r.text());
    expect(body).toBe('hello from postStart handler\n');
    const { existsSync } = await import('node:fs');
    expect(existsSync('/usr/share/nginx/html/hello.html')).toBe(false);
  });

  it('preStop runs before the stop signal and its output is observable (lifecycle-demo)', async () => {
    node = testNode();
    const w = node.run(
      podManifest('lifecycle-demo', {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'trap "echo got-TERM; exit 0" TERM; while true; do sleep 0.1; done'],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop-ran > /proc/1/fd/1; sleep 1'] } } },
          },
        ],
      }),
    );
    await waitForPod(node, w, firstRunning);
    node.kubelet.deletePod('default', 'lifecycle-demo');
    await w.done;
    expect(logOf(node, w, 'app')).toEqual(['prestop-ran', 'got-TERM']);
    const ev = eventsOf(node, w);
    const hook = ev.find((e) => e.reason === 'PreStopHook')!;
    const signal = ev.find((e) => e.reason === 'Signal')!;
    expect(hook.at).toBeLessThan(signal.at);
    expect(signal.at - hook.at).toBeGreaterThanOrEqual(950);
    expect(w.pod.status!.containerStatuses![0].state!.terminated!.exitCode).toBe(0);
  });

  it('a preStop longer than the grace period gets the stop signal at the grace and SIGKILL 2 s later', async () => {
    node = testNode();
    const w = node.run(
      podManifest('slow-prestop', {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], lifecycle: { preStop: { exec: { command: ['sleep', '30'] } } } }],
      }),
    );
    await waitForPod(node, w, firstRunning);
    node.kubelet.deletePod('default', 'slow-prestop');
    await w.done;
    const ev = eventsOf(node, w);
    const at = (reason: string) => ev.find((e) => e.reason === reason)!.at;
    expect(at('Signal') - at('PreStopHook')).toBeGreaterThanOrEqual(1950);
    expect(at('Signal') - at('PreStopHook')).toBeLessThan(2500);
    expect(at('ExceededGracePeriod') - at('Signal')).toBeGreaterThanOrEqual(1950);
    expect(at('ExceededGracePeriod') - at('Signal')).toBeLessThan(2500);
    expect(ev.some((e) => e.reason === 'FailedPreStopHook')).toBe(true);
    expect(w.pod.status!.containerStatuses![0].state!.terminated!.exitCode).toBe(137);
  });

  it('a failed postStart kills the container (FailedPostStartHook) and the restart policy applies', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 5000, maxContainerRestartPeriodMs: 10_000 } });
    const w = node.run(
      podManifest('bad-poststart', {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 3'] } } } }],
      }),
    );
    await waitForPod(node, w, (p) => p.status?.containerStatuses?.[0].restartCount === 1 && p.status.containerStatuses[0].state?.waiting?.reason === 'CrashLoopBackOff', 20_000);
    const ev = eventsOf(node, w);
    const failed = ev.find((e) => e.reason === 'FailedPostStartHook')!;
    expect(failed.message).toMatch(/exited with 3: nope/);
    expect(ev.find((e) => e.reason === 'Killing')!.message).toBe('FailedPostStartHook');
    expect(w.pod.status!.containerStatuses![0].lastState!.terminated!.exitCode).toBe(137);
  });

  it('a failed preStop records FailedPreStopHook and termination goes on; stopSignal is honoured', async () => {
    node = testNode();
    const w = node.run(
      podManifest('bad-prestop', {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'trap "echo got-USR1; exit 0" USR1; while true; do sleep 0.1; done'],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'exit 7'] } }, stopSignal: 'SIGUSR1' } as never,
          },
        ],
      }),
    );
    await waitForPod(node, w, firstRunning);
    node.kubelet.deletePod('default', 'bad-prestop');
    await w.done;
    const ev = eventsOf(node, w);
    expect(ev.find((e) => e.reason === 'FailedPreStopHook')!.message).toMatch(/exited with 7/);
    expect(ev.find((e) => e.reason === 'Signal')!.message).toMatch(/SIGUSR1/);
    expect(logOf(node, w, 'app')).toEqual(['got-USR1']);
  });

  it('sleep and httpGet hooks', async () => {
    node = testNode();
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['x-hook']}`);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const w = node.run(
        podManifest('sleepy', {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'web',
              image: 'busybox',
              command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
              lifecycle: {
                postStart: { httpGet: { host: '127.0.0.1', port, path: '/poststart', httpHeaders: [{ name: 'X-Hook', value: 'yes' }] } },
                preStop: { sleep: { seconds: 1 } },
              },
            },
          ],
        }),
      );
      await waitForPod(node, w, firstRunning, 10_000);
      expect(seen).toEqual(['/poststart yes']);
      node.kubelet.deletePod('default', 'sleepy');
      await w.done;
      const ev = eventsOf(node, w);
      expect(ev.some((e) => e.reason === 'FailedPostStartHook')).toBe(false);
      const at = (reason: string) => ev.find((e) => e.reason === reason)!.at;
      expect(at('Signal') - at('PreStopHook')).toBeGreaterThanOrEqual(950);
    } finally {
      server.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { eventsOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const c0 = firstContainer;
const readyCond = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** A node HTTP server whose /healthz answers 200 for `healthyMs`, then 500. */
const flakyServer = (healthyMs: number) =>
  `const t0=Date.now();require('http').createServer((q,s)=>{const ok=Date.now()-t0<${healthyMs};s.statusCode=ok?200:500;s.end(ok?'ok':'broken')}).listen(8080)`;

describe('probes on real processes', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('exec liveness (liveness-exec, shortened) restarts the container with Unhealthy and Killing events', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 10_000, maxContainerRestartPeriodMs: 20_000 } });
    const w = node.run(
      podManifest('liveness-exec', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'liveness',
            image: 'busybox',
            args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 2; rm -rf /tmp/healthy; sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 1, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => c0(p).restartCount === 1 && c0(p).state?.running !== undefined, 20_000);
    const ev = eventsOf(node, w);
    const unhealthy = ev.filter((e) => e.reason === 'Unhealthy');
    expect(unhealthy.length).toBeGreaterThanOrEqual(3);
    expect(unhealthy[0].message).toMatch(/^Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    const killing = ev.find((e) => e.reason === 'Killing')!;
    expect(killing.message).toBe('Container liveness failed liveness probe, will be restarted');
    // healthy for 2 s, then three failures one second apart: the kill comes ~2-3 s + 3 x 1 s after start.
    const started = ev.find((e) => e.reason === 'Started')!.at;
    expect(killing.at - started).toBeGreaterThanOrEqual(3900);
    expect(killing.at - started).toBeLessThan(6000);
    expect(c0(w.pod).lastState!.terminated!.exitCode).toBe(137);
  });

  it('HTTP liveness that starts answering 500 kills after failureThreshold x period', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 10_000, maxContainerRestartPeriodMs: 20_000 } });
    const w = node.run(
      podManifest('liveness-http', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'web',
            image: 'node',
            command: ['node', '-e', flakyServer(1500)],
            livenessProbe: { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'X-Custom-Header', value: 'Awesome' }] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => c0(p).restartCount === 1, 20_000);
    const ev = eventsOf(node, w);
    expect(ev.find((e) => e.reason === 'Unhealthy')!.message).toBe('Liveness probe failed: HTTP probe failed with statuscode: 500');
    expect(ev.find((e) => e.reason === 'Killing')!.message).toBe('Container web failed liveness probe, will be restarted');
  });

  it('TCP readiness: Ready flips to True when the port opens, to False when it closes, with no restart', async () => {
    node = testNode();
    const w = node.run(
      podManifest('tcp-ready', {
        containers: [
          {
            name: 'srv',
            image: 'busybox',
            command: ['sh', '-c', 'sleep 1; httpd -f -p 9000 & pid=$!; sleep 2.5; kill $pid; sleep 600'],
            readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => c0(p).state?.running !== undefined);
    expect(c0(w.pod).ready).toBe(false);
    expect(readyCond(w.pod)).toBe('False');
    await waitForPod(node, w, (p) => readyCond(p) === 'True' && c0(p).ready === true, 10_000);
    await waitForPod(node, w, (p) => readyCond(p) === 'False', 10_000);
    expect(c0(w.pod).restartCount).toBe(0);
    expect(c0(w.pod).state!.running).toBeDefined();
    expect(eventsOf(node, w).find((e) => e.reason === 'Unhealthy')!.message).toMatch(/^Readiness probe failed: dial tcp [\d.]+:9000: connect: connection refused/);
  });

  it('a startup probe protects a slow starter from liveness', async () => {
    node = testNode();
    const w = node.run(
      podManifest('slow-start', {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'sleep 3; mkdir /www; echo ok > /www/healthz; exec httpd -f -p 8080 -h /www'],
            startupProbe: { httpGet: { path: '/healthz', port: 8080 }, failureThreshold: 10, periodSeconds: 1 },
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, failureThreshold: 1, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => c0(p).started === true && c0(p).ready === true, 15_000);
    expect(c0(w.pod).restartCount).toBe(0);
    const messages = eventsOf(node, w).filter((e) => e.reason === 'Unhealthy').map((e) => e.message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.startsWith('Startup probe failed'))).toBe(true);
  });

  it('a probe that times out counts as a failure', async () => {
    node = testNode();
    const w = node.run(
      podManifest('hung-probe', {
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '600'], readinessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1 } }],
      }),
    );
    await waitUntil(() => eventsOf(node, w).some((e) => e.reason === 'Unhealthy'), 10_000);
    const msg = eventsOf(node, w).find((e) => e.reason === 'Unhealthy')!.message;
    expect(msg).toMatch(/timed out/);
    expect(c0(w.pod).ready).toBe(false);
  });

  it('a liveness kill runs preStop first, then the stop signal', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 10_000, maxContainerRestartPeriodMs: 20_000 } });
    const w = node.run(
      podManifest('live-prestop', {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'trap "echo term; exit 0" TERM; while true; do sleep 0.1; done'],
            livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 },
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 0.5'] } } },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => c0(p).restartCount === 1, 15_000);
    const ev = eventsOf(node, w);
    const order = ev.filter((e) => ['Unhealthy', 'Killing', 'PreStopHook', 'Signal', 'Exited'].includes(e.reason)).map((e) => e.reason);
    expect(order.slice(0, 5)).toEqual(['Unhealthy', 'Killing', 'PreStopHook', 'Signal', 'Exited']);
    expect(c0(w.pod).lastState!.terminated!.exitCode).toBe(0);
  });
});

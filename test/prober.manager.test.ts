import { describe, expect, it, type TestContext } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Container } from '../src/api/types.js';
import { startContainerProbes } from '../src/kubelet/prober/manager.js';
import type { ContainerProbes, ProbeCallbacks } from '../src/kubelet/prober/types.js';

// Real timers, periodSeconds 1; bounds leave room for a loaded 2-core machine. Tests run concurrently,
// so each one registers its own cleanups on its own context.
type Cleanup = TestContext['onTestFinished'];

/** An HTTP server on loopback whose answer the test decides per request; counts requests. */
async function server(cleanup: Cleanup, status: (n: number) => number = () => 200) {
  const s = { port: 0, requests: 0, times: [] as number[] };
  const srv = http.createServer((_req, res) => {
    s.requests++;
    s.times.push(Date.now());
    res.writeHead(status(s.requests)).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  s.port = (srv.address() as AddressInfo).port;
  cleanup(() => new Promise<void>((r) => srv.close(() => r())));
  return s;
}

type Call = [at: number, what: string, ...args: unknown[]];

function start(cleanup: Cleanup, container: Partial<Container>) {
  const startedAt = Date.now();
  const calls: Call[] = [];
  const at = () => Date.now() - startedAt;
  const cb: ProbeCallbacks = {
    onStarted: () => calls.push([at(), 'started']),
    onReadinessChanged: (ready) => calls.push([at(), 'ready', ready]),
    onFailure: (kind, grace) => calls.push([at(), 'failure', kind, grace]),
    recordEvent: (type, reason, message) => calls.push([at(), 'event', type, reason, message]),
  };
  const probes: ContainerProbes = startContainerProbes(
    { pod: () => ({ status: { podIP: '127.0.0.1' } }), container: { name: 'app', ...container }, pid: 0, specPath: '', env: {}, startedAt },
    cb,
  );
  cleanup(() => probes.stop());
  const waitFor = async (what: string, timeoutMs: number): Promise<Call> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = calls.find((c) => c[1] === what);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs}ms: ${JSON.stringify(calls)}`);
      await sleep(20);
    }
  };
  return { calls, probes, startedAt, waitFor, of: (what: string) => calls.filter((c) => c[1] === what) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent('probe manager', () => {
  it('without a startup probe: started at once, ready after the first readiness success, not ready after failures', async ({ onTestFinished }) => {
    let healthy = true;
    const srv = await server(onTestFinished, () => (healthy ? 200 : 500));
    const p = start(onTestFinished, { readinessProbe: { httpGet: { port: srv.port, path: '/' }, periodSeconds: 1, failureThreshold: 2 } });
    await sleep(0);
    expect(p.calls[0]?.[1]).toBe('started');
    const ready = await p.waitFor('ready', 1500);
    expect(ready[2]).toBe(true);
    expect(ready[0]).toBeLessThan(1000); // first probe right away (initialDelaySeconds 0)
    healthy = false;
    const before = p.calls.length;
    for (let i = 0; i < 80 && p.of('ready').length < 2; i++) await sleep(50);
    expect(p.of('ready').map((c) => c[2])).toEqual([true, false]);
    expect(p.calls.slice(before).filter((c) => c[1] === 'event').map((c) => c[4])).toContain('Readiness probe failed: HTTP probe failed with statuscode: 500');
    p.probes.stop();
    const n = srv.requests;
    await sleep(1300);
    expect(srv.requests).toBe(n);
  });

  it('liveness: failureThreshold failures in a row call onFailure once with the probe grace, then probing stops', async ({ onTestFinished }) => {
    const srv = await server(onTestFinished, (n) => (n <= 1 ? 200 : 500));
    const p = start(onTestFinished, { livenessProbe: { httpGet: { port: srv.port, path: '/healthz' }, periodSeconds: 1, failureThreshold: 3, terminationGracePeriodSeconds: 7 } });
    const failed = await p.waitFor('failure', 6000);
    expect(failed.slice(2)).toEqual(['liveness', 7]);
    expect(failed[0]).toBeGreaterThanOrEqual(2950); // probes at 0 (ok), 1, 2, 3 s (500)
    expect(failed[0]).toBeLessThan(5500);
    expect(p.of('event').map((c) => c[4])).toEqual(Array(3).fill('Liveness probe failed: HTTP probe failed with statuscode: 500'));
    expect(p.of('ready')).toEqual([]); // no readiness probe: the pod worker decides readiness
    const n = srv.requests;
    await sleep(1500);
    expect(srv.requests).toBe(n);
    expect(p.of('failure').length).toBe(1);
  });

  it('a startup probe holds liveness and readiness back; initialDelaySeconds counts from the container start', async ({ onTestFinished }) => {
    const port = await freePort();
    const late = net.createServer((s) => s.destroy());
    const opener = setTimeout(() => late.listen(port, '127.0.0.1'), 1500);
    onTestFinished(() => {
      clearTimeout(opener);
      return new Promise<void>((r) => (late.listening ? late.close(() => r()) : r()));
    });
    const live = await server(onTestFinished);
    const ready = await server(onTestFinished);
    const p = start(onTestFinished, {
      startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { httpGet: { port: live.port }, periodSeconds: 1 },
      readinessProbe: { httpGet: { port: ready.port }, periodSeconds: 1, initialDelaySeconds: 3 },
    });
    const started = await p.waitFor('started', 4500);
    expect(started[0]).toBeGreaterThanOrEqual(1500);
    expect(p.of('event').map((c) => c[4])).toContain(`Startup probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`);
    const startedAbs = p.startedAt + started[0];
    await p.waitFor('ready', 4000);
    expect(live.times[0]).toBeGreaterThanOrEqual(startedAbs - 5); // liveness waited for startup
    expect(ready.times[0]).toBeGreaterThanOrEqual(p.startedAt + 2950); // and readiness for its initial delay
    expect(p.of('started').length).toBe(1);
  });

  it('startup failing failureThreshold times calls onFailure("startup") and never starts the others', async ({ onTestFinished }) => {
    const port = await freePort();
    const live = await server(onTestFinished);
    const p = start(onTestFinished, {
      startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 2 },
      livenessProbe: { httpGet: { port: live.port }, periodSeconds: 1 },
    });
    const failed = await p.waitFor('failure', 4000);
    expect(failed.slice(2)).toEqual(['startup', undefined]);
    expect(failed[0]).toBeGreaterThanOrEqual(950);
    await sleep(1200);
    expect(p.of('started')).toEqual([]);
    expect(live.requests).toBe(0);
  });

  it('stopLivenessAndStartup keeps readiness probing', async ({ onTestFinished }) => {
    const live = await server(onTestFinished);
    const ready = await server(onTestFinished);
    const p = start(onTestFinished, {
      livenessProbe: { httpGet: { port: live.port }, periodSeconds: 1 },
      readinessProbe: { httpGet: { port: ready.port }, periodSeconds: 1 },
    });
    await p.waitFor('ready', 1500);
    p.probes.stopLivenessAndStartup();
    const [l, r] = [live.requests, ready.requests];
    await sleep(2300);
    expect(live.requests).toBe(l);
    expect(ready.requests).toBeGreaterThanOrEqual(r + 1);
  });

  it('a stopped instance records nothing', async ({ onTestFinished }) => {
    const srv = await server(onTestFinished, () => 500);
    const p = start(onTestFinished, { readinessProbe: { httpGet: { port: srv.port }, periodSeconds: 1 } });
    p.probes.stop();
    await sleep(300);
    expect(p.of('event')).toEqual([]);
    expect(p.of('started')).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

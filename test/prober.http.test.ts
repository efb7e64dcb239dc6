import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, HTTPGetAction } from '../src/api/types.js';
import type { EventType } from '../src/kubelet/events.js';
import { httpRunner } from '../src/kubelet/prober/httpRunner.js';
import { runProbe } from '../src/kubelet/prober/prober.js';
import type { ProbeTarget } from '../src/kubelet/prober/types.js';

function target(container: Partial<Container> = {}): ProbeTarget {
  return { pod: () => ({ status: { podIP: '127.0.0.1' } }), container: { name: 'app', ...container }, pid: 0, specPath: '', env: {}, startedAt: Date.now() };
}

const seen: http.IncomingMessage[] = [];
let connections = 0;
let server: http.Server;
let port = 0;

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  seen.push(req);
  const path = req.url ?? '/';
  if (path === '/healthz') return res.end('ok');
  if (path === '/fail') return res.writeHead(500).end('broken: secret details');
  if (path === '/moved') return res.writeHead(302, { location: '/healthz' }).end();
  if (path === '/elsewhere') return res.writeHead(301, { location: `http://localhost:${port}/healthz` }).end('moved away');
  if (path.startsWith('/loop')) return res.writeHead(307, { location: `/loop${Number(path.slice(5) || 0) + 1}` }).end();
  if (path === '/big') return res.end(Buffer.alloc(1024 * 1024, 'x'));
  if (path === '/slow') return; // never answers
  res.writeHead(404).end();
}

beforeAll(async () => {
  server = http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (action: Partial<HTTPGetAction>, container?: Partial<Container>, timeoutMs = 1000) =>
  httpRunner({ port, path: '/healthz', ...action }, target(container), timeoutMs)();

describe('http probe runner', () => {
  it('sends the kubelet headers on a new connection each time and succeeds on 2xx', async () => {
    seen.length = 0;
    const before = connections;
    const run = httpRunner({ port, path: '/healthz', httpHeaders: [{ name: 'X-Custom-Header', value: 'Awesome' }] }, target(), 1000);
    for (let i = 0; i < 3; i++) expect(await run()).toEqual({ result: 'success', output: '' });
    expect(connections - before).toBe(3);
    const h = seen[0].headers;
    expect(h['user-agent']).toBe('kube-probe/1.33');
    expect(h.accept).toBe('*/*');
    expect(h.connection).toBe('close');
    expect(h.host).toBe(`127.0.0.1:${port}`);
    expect(h['x-custom-header']).toBe('Awesome');
  });

  it('lets httpHeaders set Host and User-Agent, and remove Accept', async () => {
    seen.length = 0;
    const headers = [
      { name: 'Host', value: 'example.test' },
      { name: 'User-Agent', value: 'mine/1' },
      { name: 'Accept', value: '' },
    ];
    expect((await get({ httpHeaders: headers })).result).toBe('success');
    expect(seen[0].headers.host).toBe('example.test');
    expect(seen[0].headers['user-agent']).toBe('mine/1');
    expect(seen[0].headers.accept).toBeUndefined();
  });

  it('fails on 500 without the body in the output', async () => {
    expect(await get({ path: '/fail' })).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    expect((await get({ path: '/nothing-here' })).output).toBe('HTTP probe failed with statuscode: 404');
  });

  it('follows a redirect on the same host', async () => {
    seen.length = 0;
    expect((await get({ path: '/moved' })).result).toBe('success');
    expect(seen.map((r) => r.url)).toEqual(['/moved', '/healthz']);
  });

  it('stops at a redirect to another host: success with a warning', async () => {
    seen.length = 0;
    expect(await get({ path: '/elsewhere' })).toEqual({ result: 'success', warning: true, output: 'Probe terminated redirects, Response body: moved away' });
    expect(seen.length).toBe(1);
  });

  it('gives up after 10 redirects', async () => {
    seen.length = 0;
    expect(await get({ path: '/loop' })).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${port}/loop11": stopped after 10 redirects` });
    expect(seen.length).toBe(11);
  });

  it('reads at most 10KiB of a large body', async () => {
    expect((await get({ path: '/big' })).result).toBe('success');
  });

  it('times out as a failure with the Go client message', async () => {
    const t0 = performance.now();
    const out = await get({ path: '/slow' }, {}, 300);
    const took = performance.now() - t0;
    expect(out).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('reports a refused connection like net.Dial', async () => {
    const closed = await freePort();
    const out = await httpRunner({ port: closed, path: '/healthz' }, target(), 1000)();
    expect(out).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });

  it('resolves named ports; an unknown name errors', async () => {
    const ports = [{ name: 'http', containerPort: port }];
    expect((await get({ port: 'http' }, { ports })).result).toBe('success');
    expect(await get({ port: 'nope' }, { ports })).toEqual({ result: 'unknown', output: 'port "nope" not found' });
  });
});

describe('prober events', () => {
  const recorder = () => {
    const events: [EventType, string, string][] = [];
    return { events, record: (t: EventType, r: string, m: string) => void events.push([t, r, m]) };
  };

  it('records Unhealthy on failure, ProbeWarning on a warning, nothing on success', async () => {
    const r = recorder();
    expect(await runProbe('readiness', httpRunner({ port, path: '/fail' }, target(), 1000), r.record)).toBe('failure');
    expect(await runProbe('liveness', httpRunner({ port, path: '/elsewhere' }, target(), 1000), r.record)).toBe('success');
    expect(await runProbe('startup', httpRunner({ port, path: '/healthz' }, target(), 1000), r.record)).toBe('success');
    expect(r.events).toEqual([
      ['Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 500'],
      ['Warning', 'ProbeWarning', 'Liveness probe warning: Probe terminated redirects, Response body: moved away'],
    ]);
  });

  it('records errored for a probe that cannot run', async () => {
    const r = recorder();
    expect(await runProbe('liveness', httpRunner({ port: 'x' }, target(), 1000), r.record)).toBe('unknown');
    expect(r.events).toEqual([['Warning', 'Unhealthy', 'Liveness probe errored: port "x" not found']]);
  });
});

describe('https probe', () => {
  let dir = '';
  let tls: https.Server | undefined;
  let tlsPort = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinylet-probe-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=probe.test',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      return; // no openssl: the test below is skipped
    }
    tls = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) =>
      res.writeHead(req.url === '/healthz' ? 200 : 503).end(),
    );
    await new Promise<void>((r) => tls!.listen(0, '127.0.0.1', r));
    tlsPort = (tls.address() as AddressInfo).port;
  });
  afterAll(async () => {
    if (tls) await new Promise((r) => tls!.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks HTTPS without verifying the self-signed certificate', async (ctx) => {
    if (!tls) return ctx.skip();
    expect((await httpRunner({ port: tlsPort, path: '/healthz', scheme: 'HTTPS' }, target(), 2000)()).result).toBe('success');
    expect((await httpRunner({ port: tlsPort, path: '/other', scheme: 'HTTPS' }, target(), 2000)()).output).toBe('HTTP probe failed with statuscode: 503');
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

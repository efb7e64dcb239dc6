// pods/portforward against a real agent and a pod serving HTTP (busybox httpd) in its own network
// namespace: the WebSocket channel protocol (v4.channel.k8s.io, as client-node and the Python client
// speak it) from a small client here, and stock kubectl (1.32: SPDY inside a WebSocket; 1.20: SPDY).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { get as httpGet, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKey, WebSocket } from '../src/server/websocket.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS, writeKubeconfig } from './helpers/kubectl.js';
import { processesMatching } from './helpers/leaks.js';

const NS = 'default';
const BIG_MB = 10;

function webPod(name: string): object {
  const script = `mkdir /www; echo served-from-pod > /www/index.html; dd if=/dev/zero of=/www/big bs=1048576 count=${BIG_MB} 2>/dev/null; exec httpd -f -p 8080 -h /www`;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', script] }] } };
}

interface Upgraded {
  status: number;
  protocol: string;
  body: string;
  socket?: Duplex;
  head?: Buffer;
}

/** An upgrade request over the agent's Unix socket: the 101 with its socket, or the error reply. */
function upgrade(t: TestAgent, path: string, protocols: string[]): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      socketPath: t.socket,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': newKey(), 'Sec-WebSocket-Protocol': protocols.join(', ') },
    });
    req.on('upgrade', (res, socket, head) => resolve({ status: 101, protocol: String(res.headers['sec-websocket-protocol'] ?? ''), body: '', socket, head }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, protocol: '', body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What one v4 channel connection carried: per channel the bytes in order, and when it closed. */
interface ChannelSession {
  ws: WebSocket;
  channels: Map<number, Buffer[]>;
  closed: Promise<void>;
  text(channel: number): string;
  bytes(channel: number): number;
}

async function openChannels(t: TestAgent, ports: string, protocol = 'v4.channel.k8s.io'): Promise<ChannelSession> {
  const up = await upgrade(t, `/api/v1/namespaces/${NS}/pods/web/portforward?ports=${ports}`, [protocol]);
  expect(up.status, up.body).toBe(101);
  expect(up.protocol).toBe(protocol);
  const ws = new WebSocket(up.socket!, true, up.head);
  const channels = new Map<number, Buffer[]>();
  ws.on('message', (m: Buffer) => {
    const list = channels.get(m[0]!) ?? [];
    list.push(m.subarray(1));
    channels.set(m[0]!, list);
  });
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  return {
    ws,
    channels,
    closed,
    text: (c) => Buffer.concat(channels.get(c) ?? []).toString(),
    bytes: (c) => (channels.get(c) ?? []).reduce((n, b) => n + b.length, 0),
  };
}

const relays = () => processesMatching('tinylet-pause portforward');

describe('pods/portforward', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-portforward-'));
    kubeconfig = await writeKubeconfig(t, dir);
    const r = await t.http('POST', `/api/v1/namespaces/${NS}/pods`, { body: webPod('web') });
    expect(r.status, r.text).toBe(201);
    await waitForApiPod(t.agent, NS, 'web', isRunning);
    // busybox httpd listens a moment after its container runs: wait until a forward gets an answer.
    await vi.waitFor(async () => {
      const s = await openChannels(t, '8080');
      s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.0\r\n\r\n')]));
      await s.closed;
      expect(s.text(0)).toContain('served-from-pod');
    }, { timeout: 20_000, interval: 300 });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('v4 channels: the port first on data and error channel, then the response; closes when the pod side does', async () => {
    const s = await openChannels(t, '8080');
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.0\r\nHost: pod\r\n\r\n')]));
    await s.closed;
    const port = Buffer.from([0x90, 0x1f]); // 8080 little-endian
    expect(s.channels.get(0)![0]).toEqual(port);
    expect(s.channels.get(1)![0]).toEqual(port);
    const data = Buffer.concat(s.channels.get(0)!.slice(1)).toString();
    expect(data).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
    expect(data).toContain('\r\n\r\nserved-from-pod\n');
    // Nothing on the error channel beyond its port.
    expect(s.channels.get(1)!.length).toBe(1);
  });

  it('two ports in one request: channels 0/1 and 2/3, each its own connection', async () => {
    const s = await openChannels(t, '8080,8080');
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.0\r\n\r\n')]));
    s.ws.send(Buffer.concat([Buffer.from([2]), Buffer.from('GET /nope HTTP/1.0\r\n\r\n')]));
    await s.closed;
    expect(s.text(0)).toContain('served-from-pod');
    expect(s.channels.get(2)![0]).toEqual(Buffer.from([0x90, 0x1f]));
    expect(Buffer.concat(s.channels.get(2)!.slice(1)).toString()).toMatch(/^HTTP\/1\.[01] 404/);
  });

  it('a port nothing listens on: the kubelet\'s message on the error channel, then the close', async () => {
    const s = await openChannels(t, '9');
    await s.closed;
    const uid = t.agent.kubelet.getPod(NS, 'web')!.metadata!.uid!;
    const error = Buffer.concat(s.channels.get(1)!.slice(1)).toString();
    expect(error).toMatch(new RegExp(`^error forwarding port 9 to pod ${uid}, uid : failed to execute portforward in network namespace "/proc/\\d+/ns/net": failed to connect to localhost:9 inside namespace "/proc/\\d+/ns/net", IPv4: dial tcp4 127\\.0\\.0\\.1:9: connect: connection refused IPv6 dial tcp6 \\[::1\\]:9: connect: `));
    expect(s.bytes(0)).toBe(2);
  });

  it('the base64 variant (v4.base64.channel.k8s.io): text messages, channel as a digit', async () => {
    const up = await upgrade(t, `/api/v1/namespaces/${NS}/pods/web/portforward?ports=8080`, ['v4.base64.channel.k8s.io']);
    expect(up.protocol).toBe('v4.base64.channel.k8s.io');
    const ws = new WebSocket(up.socket!, true, up.head);
    const got: string[] = [];
    ws.on('message', (m: Buffer) => got.push(m.toString()));
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.send(Buffer.from('0' + Buffer.from('GET / HTTP/1.0\r\n\r\n').toString('base64')), 1);
    await closed;
    expect(got[0]).toBe('0' + Buffer.from([0x90, 0x1f]).toString('base64'));
    const data = got.filter((m) => m[0] === '0').slice(1).map((m) => Buffer.from(m.slice(1), 'base64').toString()).join('');
    expect(data).toContain('served-from-pod');
  });

  it('refuses before the upgrade: 404 for no such pod, 400 for a bad port or none, 400 without an upgrade', async () => {
    const missing = await upgrade(t, `/api/v1/namespaces/${NS}/pods/nope/portforward?ports=80`, ['v4.channel.k8s.io']);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });
    const bad = await upgrade(t, `/api/v1/namespaces/${NS}/pods/web/portforward?ports=70000`, ['v4.channel.k8s.io']);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toBe('unable to parse "70000" as a port');
    const none = await upgrade(t, `/api/v1/namespaces/${NS}/pods/web/portforward`, ['v4.channel.k8s.io']);
    expect(none.status).toBe(400);
    expect(JSON.parse(none.body).message).toBe('query parameter "ports" is required');
    const plain = await t.http('GET', `/api/v1/namespaces/${NS}/pods/web/portforward?ports=80`);
    expect(plain.status).toBe(400);
  });

  it('closing the WebSocket mid-transfer ends the relay process', async () => {
    const s = await openChannels(t, '8080');
    // A request left open: the relay waits on the pod side until the client goes away.
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: pod\r\n')]));
    await vi.waitFor(async () => expect((await relays()).length).toBe(1), { timeout: 5_000, interval: 50 });
    s.ws.close();
    await vi.waitFor(async () => expect(await relays()).toEqual([]), { timeout: 5_000, interval: 50 });
  });

  it(`carries ${BIG_MB} MB from the pod (throughput printed)`, async () => {
    const s = await openChannels(t, '8080');
    const started = performance.now();
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /big HTTP/1.0\r\n\r\n')]));
    await s.closed;
    const seconds = (performance.now() - started) / 1000;
    const body = Buffer.concat(s.channels.get(0)!.slice(1));
    const headerEnd = body.indexOf('\r\n\r\n') + 4;
    expect(body.length - headerEnd).toBe(BIG_MB * 1024 * 1024);
    console.log(`portforward v4 WebSocket: ${BIG_MB} MB in ${seconds.toFixed(2)} s = ${(BIG_MB / seconds).toFixed(1)} MB/s`);
  });

  for (const { version, bin } of KUBECTL_VERSIONS) {
    describe(`kubectl ${version} port-forward`, () => {
      /** Starts `kubectl port-forward` and resolves with the local port of each forwarded pod port, in order. */
      async function portForward(args: string[]): Promise<{ child: ChildProcess; local: number[]; stderr: () => string }> {
        const child = spawn(bin, ['--kubeconfig', kubeconfig, 'port-forward', ...args], { env: { HOME: dir, PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        const wanted = args.filter((a) => a.includes(':')).length;
        await vi.waitFor(() => {
          if (child.exitCode !== null) throw new Error(`kubectl exited ${child.exitCode}: ${err}`);
          expect([...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$/gm)].length).toBe(wanted);
        }, { timeout: 20_000, interval: 50 });
        const local = [...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$/gm)].map((m) => Number(m[1]));
        return { child, local, stderr: () => err };
      }
      const stop = async (child: ChildProcess) => {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await gone;
        }
      };
      const fetch = (port: number, path = '/'): Promise<{ status: number; body: Buffer }> =>
        new Promise((resolve, reject) => {
          httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });

      it.skipIf(!existsSafe(bin))('forwards a random local port: sequential and concurrent requests, then cleans up on kill', async () => {
        const pf = await portForward(['pod/web', ':8080']);
        try {
          for (let i = 0; i < 3; i++) expect((await fetch(pf.local[0]!)).body.toString()).toBe('served-from-pod\n');
          const many = await Promise.all(Array.from({ length: 6 }, () => fetch(pf.local[0]!)));
          expect(many.map((r) => r.body.toString())).toEqual(Array(6).fill('served-from-pod\n'));
          const started = performance.now();
          const big = await fetch(pf.local[0]!, '/big');
          const seconds = (performance.now() - started) / 1000;
          expect(big.body.length).toBe(BIG_MB * 1024 * 1024);
          console.log(`kubectl ${version} port-forward: ${BIG_MB} MB in ${seconds.toFixed(2)} s = ${(BIG_MB / seconds).toFixed(1)} MB/s`);
          // A connection held open keeps its relay until kubectl goes away.
          const held = connect(pf.local[0]!, '127.0.0.1');
          held.on('error', () => undefined);
          held.write('GET / HTTP/1.1\r\nHost: pod\r\n');
          await vi.waitFor(async () => expect((await relays()).length).toBe(1), { timeout: 10_000, interval: 100 });
          await stop(pf.child);
          held.destroy();
          await vi.waitFor(async () => expect(await relays()).toEqual([]), { timeout: 10_000, interval: 100 });
        } finally {
          await stop(pf.child);
        }
      });

      it.skipIf(!existsSafe(bin))('a fixed local port on 127.0.0.1, and a pod port nothing listens on: the error, and the forward stays usable', async () => {
        const fixed = await freePort();
        const pf = await portForward(['--address', '127.0.0.1', 'pod/web', `${fixed}:8080`, ':9']);
        try {
          expect(pf.local[0]).toBe(fixed);
          expect((await fetch(fixed)).body.toString()).toBe('served-from-pod\n');
          const refused = connect(pf.local[1]!, '127.0.0.1');
          const closed = new Promise((r) => refused.on('close', r));
          refused.on('error', () => undefined);
          await closed;
          // kubectl 1.32 logs it as a quoted Go string (\" for ").
          const message = /error forwarding port 9 to pod [0-9a-f-]+, uid : failed to execute portforward in network namespace \\?"\/proc\/\d+\/ns\/net\\?": failed to connect to localhost:9 inside namespace \\?"\/proc\/\d+\/ns\/net\\?", IPv4: dial tcp4 127\.0\.0\.1:9: connect: connection refused/;
          await vi.waitFor(() => expect(pf.stderr()).toMatch(message), { timeout: 10_000, interval: 100 });
          if (version === '1.20') {
            // 1.20 logs the error and goes on serving the other port.
            expect((await fetch(fixed)).body.toString()).toBe('served-from-pod\n');
            expect(pf.child.exitCode).toBeNull();
          } else {
            // Since 1.29 kubectl ends the whole forward on an error from the pod ("lost connection to pod"),
            // as it does against a cluster; the agent's side of the session is cleaned up all the same.
            await vi.waitFor(() => expect(pf.stderr()).toContain('error: lost connection to pod'), { timeout: 10_000, interval: 100 });
          }
          await vi.waitFor(async () => expect(await relays()).toEqual([]), { timeout: 10_000, interval: 100 });
        } finally {
          await stop(pf.child);
        }
      });
    });
  }
});

function existsSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

// A real DnsServer on 127.0.0.1 and a free port, asked with node's dgram and over TCP, forwarding
// to fake upstreams on 127.0.0.1; then real resolvers (busybox nslookup, glibc's getent) against a
// server run inside a fresh network + mount namespace on 127.0.0.1:53 (their port), with that
// namespace's /etc/resolv.conf bind-mounted from a temp file written by podResolvConf.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import type { ClusterDnsView, DnsService } from '../src/dns/clusterZone.js';
import { DnsServer } from '../src/dns/dnsServer.js';
import { type DnsMessage, RCode, RRType, decodeMessage, encodeMessage } from '../src/dns/message.js';
import { podResolvConf } from '../src/dns/resolvConf.js';

const services: DnsService[] = [
  { namespace: 'default', name: 'myservice', clusterIP: '10.96.0.10', ports: [{ name: 'http', protocol: 'TCP', port: 80 }], endpoints: [] },
  { namespace: 'default', name: 'many', ports: [], endpoints: Array.from({ length: 80 }, (_, i) => ({ ip: `10.244.2.${i + 1}`, ready: true })) },
];
const view: ClusterDnsView = { domain: 'cluster.local', services: () => services, podIPs: () => [] };

function query(name: string, type: number, opts: { id?: number; edns?: number } = {}): Buffer {
  const m: DnsMessage = {
    id: opts.id ?? 0xbeef,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false },
    rcode: 0, questions: [{ name, type, class: 1 }], answers: [], authority: [], additional: [],
    ...(opts.edns ? { edns: { udpSize: opts.edns, version: 0, dnssecOk: false, options: Buffer.alloc(0) } } : {}),
  };
  return encodeMessage(m);
}

function udpAsk(port: number, packet: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(packet, port, '127.0.0.1');
  });
}

const frame = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);

/** Sends all packets on one connection (in two uneven writes, to test reassembly), reads `count` answers. */
function tcpAsk(port: number, packets: Buffer[], count = packets.length): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const out: Buffer[] = [];
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('connect', () => {
      const all = Buffer.concat(packets.map(frame));
      s.write(all.subarray(0, 3));
      setTimeout(() => s.write(all.subarray(3)), 20);
    });
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length >= count) { s.destroy(); resolve(out); }
    });
  });
}

/** The upstream's answer: hand-made, uncompressed, with an odd record type, so a re-encode would show. */
function upstreamAnswer(q: Buffer): Buffer {
  const qEnd = 12 + (decodeMessage(q) ? q.length - 12 : 0);
  const hdr = Buffer.from(q.subarray(0, 12));
  hdr[2] = 0x81; hdr[3] = 0x80; // QR RD RA
  hdr.writeUInt16BE(2, 6); // two answers
  hdr.writeUInt16BE(0, 10);
  const name = Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]); // not compressed
  const a = Buffer.concat([name, Buffer.from([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7])]);
  const odd = Buffer.concat([name, Buffer.from([0, 99, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3])]);
  return Buffer.concat([hdr, q.subarray(12, qEnd), a, odd]);
}

describe('DnsServer', () => {
  let server: DnsServer;
  const seen: Buffer[] = [];
  let upUdp: dgram.Socket, deadUdp: dgram.Socket, upTcp: net.Server;

  beforeAll(async () => {
    // A dead upstream first (binds, never answers), then a live one: the forwarder must move on.
    deadUdp = dgram.createSocket('udp4');
    await new Promise<void>((r) => deadUdp.bind(0, '127.0.0.1', r));
    upUdp = dgram.createSocket('udp4');
    upUdp.on('message', (m, rinfo) => { seen.push(m); upUdp.send(upstreamAnswer(m), rinfo.port, rinfo.address); });
    await new Promise<void>((r) => upUdp.bind(0, '127.0.0.1', r));
    const upPort = upUdp.address().port;
    upTcp = net.createServer((s) => s.on('data', (d) => { seen.push(d.subarray(2)); s.end(frame(upstreamAnswer(d.subarray(2)))); }));
    await new Promise<void>((r, j) => { upTcp.once('error', j); upTcp.listen(upPort, '127.0.0.1', r); });
    server = new DnsServer({
      view,
      upstreams: [{ host: '127.0.0.1', port: deadUdp.address().port }, { host: '127.0.0.1', port: upPort }],
      forwardTimeoutMs: 300, tcpIdleMs: 500,
    });
    await server.listen('127.0.0.1', 0);
  });

  afterAll(async () => {
    await server?.close();
    deadUdp?.close(); upUdp?.close(); upTcp?.close();
  });

  it('answers the cluster zone over UDP, with AA and the client ID', async () => {
    const res = decodeMessage((await udpAsk(server.port, query('myservice.default.svc.cluster.local', RRType.A, { id: 4242 })))!)!;
    expect(res.id).toBe(4242);
    expect(res.flags).toMatchObject({ qr: true, aa: true, rd: true, tc: false });
    expect(res.answers.map((r) => r.data)).toEqual([{ kind: 'A', address: '10.96.0.10' }]);
    expect(res.answers[0]!.ttl).toBe(5);
  });

  it('NXDOMAIN for unknown names in the zone, with the SOA', async () => {
    const res = decodeMessage((await udpAsk(server.port, query('myservice.default.svc.cluster.local.default.svc.cluster.local', RRType.A)))!)!;
    expect(res.rcode).toBe(RCode.NXDOMAIN);
    expect(res.authority[0]!.data.kind).toBe('SOA');
  });

  it('truncates big UDP answers (TC), sends them whole over TCP and to EDNS clients', async () => {
    const udp = decodeMessage((await udpAsk(server.port, query('many.default.svc.cluster.local', RRType.A)))!)!;
    expect(udp.flags.tc).toBe(true);
    expect(udp.answers).toHaveLength(0);
    const [tcp] = await tcpAsk(server.port, [query('many.default.svc.cluster.local', RRType.A)]);
    expect(decodeMessage(tcp!)!.answers).toHaveLength(80);
    // 80 records take 1.3 kB: within a 4096 EDNS size, not within 1232.
    const small = decodeMessage((await udpAsk(server.port, query('many.default.svc.cluster.local', RRType.A, { edns: 1232 })))!)!;
    expect(small.flags.tc).toBe(true);
    const edns = await udpAsk(server.port, query('many.default.svc.cluster.local', RRType.A, { edns: 4096 }));
    expect(edns!.length).toBeGreaterThan(512);
    expect(decodeMessage(edns!)!.answers).toHaveLength(80);
    expect(decodeMessage(edns!)!.edns).toBeDefined();
  });

  it('answers several pipelined queries on one TCP connection', async () => {
    const names = ['myservice.default.svc.cluster.local', 'nope.default.svc.cluster.local', 'dns-version.cluster.local'];
    const res = (await tcpAsk(server.port, names.map((n, i) => query(n, n.startsWith('dns') ? RRType.TXT : RRType.A, { id: i + 1 }))))
      .map((b) => decodeMessage(b)!).sort((a, b) => a.id - b.id);
    expect(res.map((r) => r.rcode)).toEqual([RCode.NOERROR, RCode.NXDOMAIN, RCode.NOERROR]);
    expect(res[2]!.answers[0]!.data).toEqual({ kind: 'TXT', texts: ['1.1.0'] });
    // More at once than the server handles per connection: it pauses reading, and answers them all.
    const burst = await tcpAsk(server.port, Array.from({ length: 300 }, (_, i) => query('myservice.default.svc.cluster.local', RRType.A, { id: i })));
    expect(new Set(burst.map((b) => decodeMessage(b)!.id)).size).toBe(300);
  });

  it('forwards other names past a dead upstream, byte for byte except the ID, over UDP and TCP', async () => {
    const q = query('example.com', RRType.A, { id: 777 });
    seen.length = 0;
    const started = Date.now();
    const res = await udpAsk(server.port, q);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // the dead one's timeout first
    const want = upstreamAnswer(q);
    expect(res).toEqual(want); // same ID as the client's too: it was put back
    expect(seen[0]!.subarray(2)).toEqual(q.subarray(2)); // the query reached upstream unchanged but for the ID
    const [tcp] = await tcpAsk(server.port, [q]);
    expect(tcp).toEqual(want);
    expect(server.stats.forwarded).toBeGreaterThanOrEqual(2);
  });

  it('forwards reverse lookups it does not know', async () => {
    const res = decodeMessage((await udpAsk(server.port, query('8.8.8.8.in-addr.arpa', RRType.PTR)))!)!;
    expect(res.answers.some((r) => r.type === 99)).toBe(true); // the fake upstream's answer
    const ours = decodeMessage((await udpAsk(server.port, query('10.0.96.10.in-addr.arpa', RRType.PTR)))!)!;
    expect(ours.answers[0]!.data).toEqual({ kind: 'PTR', target: 'myservice.default.svc.cluster.local' });
  });

  it('SERVFAIL when no upstream answers', async () => {
    const lonely = new DnsServer({ view, upstreams: [{ host: '127.0.0.1', port: deadUdp.address().port }], forwardTimeoutMs: 200 });
    await lonely.listen('127.0.0.1', 0);
    try {
      const res = decodeMessage((await udpAsk(lonely.port, query('example.org', RRType.A, { id: 9 })))!)!;
      expect(res.id).toBe(9);
      expect(res.rcode).toBe(RCode.SERVFAIL);
      // And from a resolv.conf without any nameserver line
      const dir = await mkdtemp(join(tmpdir(), 'tinylet-dns-'));
      await writeFile(join(dir, 'resolv.conf'), '# none\nsearch x\n');
      const none = new DnsServer({ view, resolvConfPath: join(dir, 'resolv.conf') });
      await none.listen('127.0.0.1', 0);
      expect(decodeMessage((await udpAsk(none.port, query('example.org', RRType.A)))!)!.rcode).toBe(RCode.SERVFAIL);
      await none.close();
      await rm(dir, { recursive: true });
    } finally {
      await lonely.close();
    }
  });

  it('survives garbage: FORMERR when there is a header, silence otherwise, then still answers', async () => {
    const before = server.stats.malformed;
    const formerr = decodeMessage((await udpAsk(server.port, Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])))!)!;
    expect(formerr.id).toBe(0x1234);
    expect(formerr.rcode).toBe(RCode.FORMERR);
    expect(await udpAsk(server.port, Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    // Two questions: FORMERR; an unknown opcode: NOTIMP; EDNS version 1: BADVERS
    const two = decodeMessage(query('a.cluster.local', 1))!;
    two.questions.push({ name: 'b.cluster.local', type: 1, class: 1 });
    expect(decodeMessage((await udpAsk(server.port, encodeMessage(two)))!)!.rcode).toBe(RCode.FORMERR);
    const notify = decodeMessage(query('cluster.local', RRType.SOA))!;
    notify.flags.opcode = 4;
    expect(decodeMessage((await udpAsk(server.port, encodeMessage(notify)))!)!.rcode).toBe(RCode.NOTIMP);
    const v1 = decodeMessage(query('cluster.local', RRType.SOA, { edns: 1232 }))!;
    v1.edns!.version = 1;
    expect(decodeMessage((await udpAsk(server.port, encodeMessage(v1)))!)!.rcode).toBe(RCode.BADVERS);
    // A flood of random datagrams and broken TCP clients
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 500; i++) s.send(Buffer.from(Array.from({ length: 1 + (i % 300) }, () => Math.floor(Math.random() * 256))), server.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    for (const junk of [Buffer.from([0xff, 0xff, 1, 2, 3]), Buffer.from([0, 0]), Buffer.from([0, 3, 1, 2, 3]), Buffer.alloc(5000, 7)]) {
      const c = net.connect(server.port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise<void>((r) => c.on('connect', () => { c.write(junk); setTimeout(() => { c.destroy(); r(); }, 20); }));
    }
    expect(server.stats.malformed).toBeGreaterThan(before);
    const ok = decodeMessage((await udpAsk(server.port, query('myservice.default.svc.cluster.local', RRType.A)))!)!;
    expect(ok.answers).toHaveLength(1);
  });

  it('bounds forwarded queries in flight (REFUSED beyond) and TCP connections', async () => {
    const small = new DnsServer({ view, upstreams: [{ host: '127.0.0.1', port: deadUdp.address().port }], forwardTimeoutMs: 800, maxForwarded: 1, maxConnections: 2 });
    await small.listen('127.0.0.1', 0);
    try {
      const first = udpAsk(small.port, query('slow.example', RRType.A, { id: 1 }));
      await new Promise((r) => setTimeout(r, 50));
      const second = decodeMessage((await udpAsk(small.port, query('other.example', RRType.A, { id: 2 })))!)!;
      expect(second.rcode).toBe(RCode.REFUSED);
      expect(decodeMessage((await first)!)!.rcode).toBe(RCode.SERVFAIL);
      // Local answers are not limited by it.
      expect(decodeMessage((await udpAsk(small.port, query('myservice.default.svc.cluster.local', RRType.A)))!)!.answers).toHaveLength(1);

      const conns = [0, 1, 2].map(() => net.connect(small.port, '127.0.0.1'));
      const closed = conns.map((c) => new Promise<boolean>((r) => { c.on('error', () => {}); c.on('close', () => r(true)); setTimeout(() => r(false), 500); }));
      const states = await Promise.all(closed);
      expect(states.filter(Boolean)).toHaveLength(1); // the third is dropped at once
      for (const c of conns) c.destroy();
    } finally {
      await small.close();
    }
  });

  it('closes idle TCP connections', async () => {
    const c = net.connect(server.port, '127.0.0.1');
    const closedAfter = await new Promise<number>((r) => {
      const t0 = Date.now();
      c.on('close', () => r(Date.now() - t0));
      c.on('error', () => {});
    });
    expect(closedAfter).toBeGreaterThanOrEqual(400);
    expect(closedAfter).toBeLessThan(3000);
  });
});

// ---------- real resolvers in a network namespace ----------

const run = (cmd: string, args: string[], timeout = 40_000): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(cmd, args, { timeout, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });

/** The src/dns modules as plain ESM in `dir`, so a node started inside the namespace can run them. */
async function transpileDns(dir: string): Promise<void> {
  const src = fileURLToPath(new URL('../src/dns/', import.meta.url));
  for (const f of await readdir(src)) {
    if (!f.endsWith('.ts')) continue;
    const out = ts.transpileModule(await readFile(join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    await writeFile(join(dir, f.replace(/\.ts$/, '.js')), out.outputText);
  }
}

const SERVE = `
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { DnsServer } from './dnsServer.js';
import { decodeMessage, encodeMessage, responseTo, record } from './message.js';
const [,, viewFile, readyFile] = process.argv;
const v = JSON.parse((await import('node:fs')).readFileSync(viewFile, 'utf8'));
// A fake upstream on 127.0.0.1:5300 inside the namespace: example.test A is 192.0.2.99, the rest NXDOMAIN.
const up = dgram.createSocket('udp4');
up.on('message', (m, r) => {
  const q = decodeMessage(m);
  if (!q) return;
  const known = q.questions[0].name.toLowerCase() === 'example.test';
  const res = responseTo(q, known ? 0 : 3);
  if (known && q.questions[0].type === 1) res.answers.push(record(q.questions[0].name, 60, { kind: 'A', address: '192.0.2.99' }));
  up.send(encodeMessage(res), r.port, r.address);
});
await new Promise((r) => up.bind(5300, '127.0.0.1', r));
const server = new DnsServer({ view: { domain: v.domain, services: () => v.services, podIPs: () => v.pods }, upstreams: [{ host: '127.0.0.1', port: 5300 }] });
await server.listen('127.0.0.1', 53);
writeFileSync(readyFile, 'ok');
process.on('SIGTERM', async () => { await server.close(); up.close(); process.exit(0); });
`;

const hasTools = async (): Promise<boolean> => (await run('sh', ['-c', 'command -v unshare && command -v busybox && command -v getent && command -v ip'])).code === 0
  && process.getuid?.() === 0;

describe('DnsServer with real resolvers in a network namespace', async () => {
  const usable = await hasTools();
  it.skipIf(!usable)('busybox nslookup and glibc getent resolve cluster names, search lists, PTR and forwarded names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tinylet-dns-ns-'));
    try {
      await transpileDns(dir);
      await writeFile(join(dir, 'serve.mjs'), SERVE);
      await writeFile(join(dir, 'view.json'), JSON.stringify({
        domain: 'cluster.local', services: [...services, { namespace: 'default', name: 'web', ports: [], endpoints: [{ ip: '10.244.3.7', hostname: 'web-0', ready: true }] }],
        pods: [{ ip: '10.244.3.7', namespace: 'default' }],
      }));
      const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'default' }, spec: { containers: [] } };
      await writeFile(join(dir, 'resolv.conf'), podResolvConf(pod, { clusterDomain: 'cluster.local', nameserver: '127.0.0.1', hostResolvConf: '' })!);
      const ready = join(dir, 'ready');
      // One namespace for server and clients; it and everything in it ends with this shell.
      const script = `
        set -u
        ip link set lo up
        mount --bind ${dir}/resolv.conf /etc/resolv.conf
        ${process.execPath} ${dir}/serve.mjs ${dir}/view.json ${ready} 2>${dir}/serve.err &
        SRV=$!
        trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null' EXIT
        i=0; while [ ! -e ${ready} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
        echo "@@nslookup"; busybox nslookup myservice.default.svc.cluster.local 127.0.0.1
        echo "@@nslookup-nx"; busybox nslookup -type=a nope.default.svc.cluster.local 127.0.0.1
        echo "@@nslookup-srv"; busybox nslookup -type=srv _http._tcp.myservice.default.svc.cluster.local 127.0.0.1
        echo "@@getent-short"; getent hosts myservice
        echo "@@getent-headless"; getent hosts web-0.web
        echo "@@getent-ptr"; getent hosts 10.96.0.10
        echo "@@getent-forward"; getent hosts example.test
        echo "@@getent-nx"; getent hosts nosuchservice; echo "rc=$?"
        echo "@@end"
      `;
      const r = await run('unshare', ['--net', '--mount', 'sh', '-c', script]);
      const serveErr = await readFile(join(dir, 'serve.err'), 'utf8').catch(() => '');
      const sections = Object.fromEntries(r.stdout.split('@@').slice(1).map((s) => {
        const nl = s.indexOf('\n');
        return [s.slice(0, nl), s.slice(nl + 1)];
      }));
      const ctx = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}\nserver:\n${serveErr}`;
      expect(sections.end, ctx).toBeDefined();
      expect(sections.nslookup, ctx).toMatch(/Name:\s+myservice\.default\.svc\.cluster\.local\s+Address:\s+10\.96\.0\.10/);
      expect(sections['nslookup-nx'], ctx).toMatch(/NXDOMAIN/);
      expect(sections['nslookup-srv'], ctx).toMatch(/0 100 80 myservice\.default\.svc\.cluster\.local/);
      expect(sections['getent-short'], ctx).toMatch(/^10\.96\.0\.10\s+myservice\.default\.svc\.cluster\.local/);
      expect(sections['getent-headless'], ctx).toMatch(/^10\.244\.3\.7\s+web-0\.web\.default\.svc\.cluster\.local/);
      expect(sections['getent-ptr'], ctx).toMatch(/^10\.96\.0\.10\s+myservice\.default\.svc\.cluster\.local/);
      expect(sections['getent-forward'], ctx).toMatch(/^192\.0\.2\.99\s+example\.test/);
      expect(sections['getent-nx'], ctx).toMatch(/^rc=2/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

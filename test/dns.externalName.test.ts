// ExternalName Services in the cluster DNS, as CoreDNS's kubernetes plugin answers them: a CNAME to
// spec.externalName for A/AAAA (followed: in the zone here, outside it through the forwarder) and
// for CNAME queries (the CNAME alone); loops cut off; the CNAME's rdata compressed against names
// written before it. Then through a real agent: busybox nslookup and glibc getent in a pod.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDnsView, DnsService } from '../src/dns/clusterZone.js';
import { ClusterZone } from '../src/dns/clusterZone.js';
import { DnsServer } from '../src/dns/dnsServer.js';
import { type DnsMessage, RCode, RRType, decodeMessage, encodeMessage, record } from '../src/dns/message.js';
import { execInContainer } from '../src/runtime/exec.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const svc = (name: string, extra: Partial<DnsService>): DnsService => ({ namespace: 'default', name, ports: [], endpoints: [], ...extra });
const services: DnsService[] = [
  svc('web', { namespace: 'shop', clusterIP: '10.96.0.20', ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }),
  svc('to-web', { externalName: 'web.shop.svc.cluster.local' }),
  svc('to-corp', { externalName: 'db.prod.svc.corp.test' }),
  svc('to-nowhere', { externalName: 'gone.shop.svc.cluster.local' }),
  svc('loop-a', { externalName: 'loop-b.default.svc.cluster.local' }),
  svc('loop-b', { externalName: 'loop-a.default.svc.cluster.local' }),
];
const view: ClusterDnsView = { domain: 'cluster.local', services: () => services, podIPs: () => [] };
const q = (name: string, type: number) => ({ name, type, class: 1 });
const cname = (name: string, target: string) => record(name, 5, { kind: 'CNAME', target });

describe('the cluster zone', () => {
  const zone = new ClusterZone(view);

  it('answers an ExternalName with a CNAME, followed inside the zone for A', () => {
    const a = zone.answer(q('to-web.default.svc.cluster.local', RRType.A))!;
    expect(a.rcode).toBe(RCode.NOERROR);
    expect(a.answers).toEqual([cname('to-web.default.svc.cluster.local', 'web.shop.svc.cluster.local'), record('web.shop.svc.cluster.local', 5, { kind: 'A', address: '10.96.0.20' })]);
    expect(a.follow).toBeUndefined();
    // CNAME and ANY questions: the CNAME alone.
    for (const type of [RRType.CNAME, RRType.ANY]) expect(zone.answer(q('To-Web.default.svc.cluster.local', type))!.answers).toEqual([cname('To-Web.default.svc.cluster.local', 'web.shop.svc.cluster.local')]);
    // AAAA: the target has none, so the CNAME and the zone's SOA (NODATA at the end of the chain).
    const aaaa = zone.answer(q('to-web.default.svc.cluster.local', RRType.AAAA))!;
    expect([aaaa.rcode, aaaa.answers.length, aaaa.authority.map((r) => r.type)]).toEqual([RCode.NOERROR, 1, [RRType.SOA]]);
  });

  it('leaves a target outside the zone to the server, and ends chains that fail or loop', () => {
    const out = zone.answer(q('to-corp.default.svc.cluster.local', RRType.A))!;
    expect([out.answers, out.follow]).toEqual([[cname('to-corp.default.svc.cluster.local', 'db.prod.svc.corp.test')], { name: 'db.prod.svc.corp.test', type: RRType.A }]);
    const gone = zone.answer(q('to-nowhere.default.svc.cluster.local', RRType.A))!;
    expect([gone.rcode, gone.answers.length]).toEqual([RCode.NXDOMAIN, 1]);
    const loop = zone.answer(q('loop-a.default.svc.cluster.local', RRType.A))!;
    expect(loop.rcode).toBe(RCode.SERVFAIL);
    expect(loop.answers.map((r) => (r.data as { target: string }).target)).toEqual(Array.from({ length: 8 }, (_, i) => (i % 2 ? 'loop-a' : 'loop-b') + '.default.svc.cluster.local'));
    // Nothing lives below an ExternalName.
    expect(zone.answer(q('_http._tcp.to-web.default.svc.cluster.local', RRType.SRV))!.rcode).toBe(RCode.NXDOMAIN);
  });
});

describe('the wire form', () => {
  it('compresses the CNAME target against the question, and decodes back', () => {
    const msg: DnsMessage = {
      id: 7, flags: { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: false, cd: false }, rcode: 0,
      questions: [q('to-web.default.svc.cluster.local', RRType.A)],
      answers: [cname('to-web.default.svc.cluster.local', 'web.shop.svc.cluster.local'), record('web.shop.svc.cluster.local', 5, { kind: 'A', address: '10.96.0.20' })],
      authority: [], additional: [],
    };
    const wire = encodeMessage(msg);
    expect(decodeMessage(wire)).toEqual(msg);
    // The question's name starts at 12; "svc.cluster.local" in it at 12 + 1+6 + 1+7 = 27.
    const cnameAt = 12 + 34 + 4; // question: 34 name bytes, type and class
    expect(wire.readUInt16BE(cnameAt)).toBe(0xc000 | 12); // the owner: a pointer to the question's name
    const rdlength = wire.readUInt16BE(cnameAt + 10);
    const rdata = wire.subarray(cnameAt + 12, cnameAt + 12 + rdlength);
    // "web", "shop", then a pointer to "svc.cluster.local": 4 + 5 + 2 bytes.
    expect([...rdata]).toEqual([3, ...Buffer.from('web'), 4, ...Buffer.from('shop'), 0xc0, 27]);
    // The A record's owner points at the CNAME's target, written just before.
    expect(wire.readUInt16BE(cnameAt + 12 + rdlength)).toBe(0xc000 | (cnameAt + 12));
    expect(encodeMessage(msg, { compress: false }).length).toBeGreaterThan(wire.length);
  });
});

function ask(port: number, name: string, type: number): Promise<DnsMessage | undefined> {
  const packet = encodeMessage({ id: 0x4242, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false }, rcode: 0, questions: [q(name, type)], answers: [], authority: [], additional: [] });
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => (s.close(), resolve(undefined)), 5000);
    s.on('message', (m) => (clearTimeout(timer), s.close(), resolve(decodeMessage(m))));
    s.send(packet, port, '127.0.0.1');
  });
}

describe('the server follows a CNAME out of the zone through its upstream', () => {
  // The upstream: another cluster zone (corp.test) on loopback, with nothing beyond it.
  const upstream = new DnsServer({ view: { domain: 'corp.test', services: () => [svc('db', { namespace: 'prod', clusterIP: '10.77.0.5' })], podIPs: () => [] }, upstreams: [] });
  let server: DnsServer;
  beforeAll(async () => {
    await upstream.listen('127.0.0.1', 0);
    server = new DnsServer({ view, upstreams: [{ host: '127.0.0.1', port: upstream.port }] });
    await server.listen('127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
    await upstream.close();
  });

  it('appends the target\'s records, or leaves the CNAME alone when the upstream has none', async () => {
    const a = (await ask(server.port, 'to-corp.default.svc.cluster.local', RRType.A))!;
    expect([a.id, a.rcode, a.flags.aa]).toEqual([0x4242, RCode.NOERROR, true]);
    expect(a.answers).toEqual([cname('to-corp.default.svc.cluster.local', 'db.prod.svc.corp.test'), record('db.prod.svc.corp.test', 5, { kind: 'A', address: '10.77.0.5' })]);
    expect((await ask(server.port, 'to-corp.default.svc.cluster.local', RRType.CNAME))!.answers).toEqual([cname('to-corp.default.svc.cluster.local', 'db.prod.svc.corp.test')]);
    services.push(svc('to-missing', { externalName: 'nope.prod.svc.corp.test' }));
    try {
      const none = (await ask(server.port, 'to-missing.default.svc.cluster.local', RRType.A))!;
      expect([none.rcode, none.answers]).toEqual([RCode.NOERROR, [cname('to-missing.default.svc.cluster.local', 'nope.prod.svc.corp.test')]]);
    } finally {
      services.pop();
    }
  });
});

describe('an ExternalName Service seen from a pod', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  }, 60_000);
  afterAll(async () => t?.stop());

  it('resolves with busybox nslookup and glibc getent to the Service it names', async () => {
    const post = (body: unknown) => t.http('POST', '/api/v1/namespaces/default/services', { body });
    expect((await post({ kind: 'Service', metadata: { name: 'backend' }, spec: { ports: [{ port: 80 }] } })).status).toBe(201);
    expect((await post({ kind: 'Service', metadata: { name: 'alias' }, spec: { type: 'ExternalName', externalName: 'backend.default.svc.cluster.local' } })).status).toBe(201);
    const ip = (await t.http('GET', '/api/v1/namespaces/default/services/backend')).json.spec.clusterIP;
    const pod = { kind: 'Pod', metadata: { name: 'resolver' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } };
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: pod })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'resolver', isRunning, 30_000);
    const w = t.agent.kubelet.getWorker('default', 'resolver')!;
    const sh = (script: string) => execInContainer(w.records.at(-1)!.process!, ['sh', '-c', script], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 15_000 });
    const ns = await sh('busybox nslookup alias.default.svc.cluster.local');
    expect(ns.output).toMatch(/alias\.default\.svc\.cluster\.local\s+canonical name = backend\.default\.svc\.cluster\.local/);
    expect(ns.output).toMatch(new RegExp(`Name:\\s+backend\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${ip.replace(/\./g, '\\.')}`));
    // glibc follows the CNAME (and the search list: the short name).
    expect((await sh('getent hosts alias')).output.trim()).toMatch(new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+backend\\.default\\.svc\\.cluster\\.local\\s+alias\\.default\\.svc\\.cluster\\.local$`));
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import { ClusterZone, type ClusterDnsView, type DnsService } from '../src/dns/clusterZone.js';
import { RCode, RRType, type ResourceRecord } from '../src/dns/message.js';

const services: DnsService[] = [
  { namespace: 'default', name: 'myservice', clusterIP: '10.96.0.10', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }], endpoints: [{ ip: '10.244.0.5', ready: true }] },
  { namespace: 'default', name: 'v6svc', clusterIP: 'fd00::10', ports: [], endpoints: [] },
  {
    namespace: 'db', name: 'pg', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }, { name: 'metrics', protocol: 'UDP', port: 9000 }],
    endpoints: [{ ip: '10.244.1.2', hostname: 'pg-0', ready: true }, { ip: '10.244.1.3', ready: true }, { ip: '10.244.1.4', hostname: 'pg-2', ready: false }],
  },
  { namespace: 'db', name: 'empty', ports: [], endpoints: [] },
];
const pods = [{ ip: '10.244.0.5', namespace: 'default' }, { ip: '10.244.0.6', namespace: 'default' }, { ip: '10.244.1.2', namespace: 'db' }];
const view: ClusterDnsView = { domain: 'cluster.local', services: () => services, podIPs: () => pods };
const zone = new ClusterZone(view);

const ask = (name: string, type: number = RRType.A) => zone.answer({ name, type, class: 1 });
const data = (rrs: ResourceRecord[]) => rrs.map((r) => r.data);
const soaOnly = (a: ReturnType<typeof ask>) => {
  expect(a!.answers).toEqual([]);
  expect(a!.authority).toHaveLength(1);
  expect(a!.authority[0]!.data).toMatchObject({ kind: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', minimum: 5 });
  expect(a!.authority[0]!.ttl).toBe(5);
};

describe('cluster zone', () => {
  it('A for a ClusterIP service, TTL 5, case-insensitive, owner as asked', () => {
    const a = ask('MyService.Default.SVC.cluster.local.')!;
    expect(a.rcode).toBe(RCode.NOERROR);
    expect(a.answers).toEqual([{ name: 'MyService.Default.SVC.cluster.local.', type: 1, class: 1, ttl: 5, data: { kind: 'A', address: '10.96.0.10' } }]);
  });

  it('NODATA with the SOA for AAAA of an IPv4 service; AAAA for an IPv6 one', () => {
    const a = ask('myservice.default.svc.cluster.local', RRType.AAAA)!;
    expect(a.rcode).toBe(RCode.NOERROR);
    soaOnly(a);
    expect(data(ask('v6svc.default.svc.cluster.local', RRType.AAAA)!.answers)).toEqual([{ kind: 'AAAA', address: 'fd00::10' }]);
    soaOnly(ask('v6svc.default.svc.cluster.local', RRType.A));
  });

  it('NXDOMAIN with the SOA for unknown names, and at once for search-list expansions', () => {
    for (const n of ['nope.default.svc.cluster.local', 'myservice.other.svc.cluster.local', 'myservice.default.cluster.local',
      'myservice.default.svc.cluster.local.default.svc.cluster.local', 'myservice.default.svc.cluster.local.svc.cluster.local',
      'myservice.default.svc.cluster.local.cluster.local', 'x.y.z.w.v.u.svc.cluster.local', 'nothing.cluster.local']) {
      const a = ask(n)!;
      expect(a.rcode, n).toBe(RCode.NXDOMAIN);
      soaOnly(a);
    }
  });

  it('empty non-terminals are NODATA, not NXDOMAIN', () => {
    for (const n of ['svc.cluster.local', 'default.svc.cluster.local', 'pod.cluster.local', 'default.pod.cluster.local', '_tcp.myservice.default.svc.cluster.local']) {
      const a = ask(n)!;
      expect(a.rcode, n).toBe(RCode.NOERROR);
      soaOnly(a);
    }
    expect(ask('nosuchns.svc.cluster.local')!.rcode).toBe(RCode.NXDOMAIN);
    expect(ask('_udp.myservice.default.svc.cluster.local')!.rcode).toBe(RCode.NXDOMAIN);
  });

  it('headless: A for each ready endpoint, per-hostname A, none for not-ready', () => {
    expect(data(ask('pg.db.svc.cluster.local')!.answers)).toEqual([{ kind: 'A', address: '10.244.1.2' }, { kind: 'A', address: '10.244.1.3' }]);
    expect(data(ask('pg-0.pg.db.svc.cluster.local')!.answers)).toEqual([{ kind: 'A', address: '10.244.1.2' }]);
    expect(data(ask('10-244-1-3.pg.db.svc.cluster.local')!.answers)).toEqual([{ kind: 'A', address: '10.244.1.3' }]);
    expect(ask('pg-2.pg.db.svc.cluster.local')!.rcode).toBe(RCode.NXDOMAIN);
    expect(ask('pg-0.myservice.default.svc.cluster.local')!.rcode).toBe(RCode.NXDOMAIN); // not headless
    const e = ask('empty.db.svc.cluster.local')!;
    expect(e.rcode).toBe(RCode.NOERROR); // the service exists, no addresses yet
    soaOnly(e);
  });

  it('SRV for named ports: the service as target with its A in additional', () => {
    const a = ask('_http._tcp.myservice.default.svc.cluster.local', RRType.SRV)!;
    expect(data(a.answers)).toEqual([{ kind: 'SRV', priority: 0, weight: 100, port: 80, target: 'myservice.default.svc.cluster.local' }]);
    expect(a.additional).toEqual([{ name: 'myservice.default.svc.cluster.local', type: 1, class: 1, ttl: 5, data: { kind: 'A', address: '10.96.0.10' } }]);
    expect(ask('_http._udp.myservice.default.svc.cluster.local', RRType.SRV)!.rcode).toBe(RCode.NXDOMAIN);
    expect(ask('_8080._tcp.myservice.default.svc.cluster.local', RRType.SRV)!.rcode).toBe(RCode.NXDOMAIN); // unnamed port
    soaOnly(ask('_http._tcp.myservice.default.svc.cluster.local', RRType.A));
  });

  it('SRV for headless: one per ready endpoint, hostname or dashed IP targets', () => {
    const a = ask('_pg._tcp.pg.db.svc.cluster.local', RRType.SRV)!;
    expect(data(a.answers)).toEqual([
      { kind: 'SRV', priority: 0, weight: 50, port: 5432, target: 'pg-0.pg.db.svc.cluster.local' },
      { kind: 'SRV', priority: 0, weight: 50, port: 5432, target: '10-244-1-3.pg.db.svc.cluster.local' },
    ]);
    expect(a.additional.map((r) => [r.name, r.data])).toEqual([
      ['pg-0.pg.db.svc.cluster.local', { kind: 'A', address: '10.244.1.2' }],
      ['10-244-1-3.pg.db.svc.cluster.local', { kind: 'A', address: '10.244.1.3' }],
    ]);
    expect(data(ask('_metrics._udp.pg.db.svc.cluster.local', RRType.SRV)!.answers)).toHaveLength(2);
  });

  it('pod A records, verified against the pods of that namespace', () => {
    expect(data(ask('10-244-0-6.default.pod.cluster.local')!.answers)).toEqual([{ kind: 'A', address: '10.244.0.6' }]);
    expect(ask('10-244-0-6.db.pod.cluster.local')!.rcode).toBe(RCode.NXDOMAIN);
    expect(ask('10-244-9-9.default.pod.cluster.local')!.rcode).toBe(RCode.NXDOMAIN);
    const insecure = new ClusterZone(view, { pods: 'insecure' });
    expect(data(insecure.answer({ name: '10-244-9-9.default.pod.cluster.local', type: 1, class: 1 })!.answers)).toEqual([{ kind: 'A', address: '10.244.9.9' }]);
  });

  it('PTR for cluster IPs, headless endpoints and pods; others are not ours', () => {
    expect(data(ask('10.0.96.10.in-addr.arpa', RRType.PTR)!.answers)).toEqual([{ kind: 'PTR', target: 'myservice.default.svc.cluster.local' }]);
    expect(data(ask('2.1.244.10.IN-ADDR.ARPA', RRType.PTR)!.answers)).toEqual([{ kind: 'PTR', target: 'pg-0.pg.db.svc.cluster.local' }]);
    expect(data(ask('3.1.244.10.in-addr.arpa', RRType.PTR)!.answers)).toEqual([{ kind: 'PTR', target: '10-244-1-3.pg.db.svc.cluster.local' }]);
    expect(data(ask('6.0.244.10.in-addr.arpa', RRType.PTR)!.answers)).toEqual([{ kind: 'PTR', target: '10-244-0-6.default.pod.cluster.local' }]);
    const v6 = '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
    expect(data(ask(v6, RRType.PTR)!.answers)).toEqual([{ kind: 'PTR', target: 'v6svc.default.svc.cluster.local' }]);
    expect(ask('8.8.8.8.in-addr.arpa', RRType.PTR)).toBeUndefined();
    expect(ask('96.10.in-addr.arpa', RRType.PTR)).toBeUndefined();
  });

  it('dns-version TXT, the apex SOA and NS', () => {
    expect(data(ask('dns-version.cluster.local', RRType.TXT)!.answers)).toEqual([{ kind: 'TXT', texts: ['1.1.0'] }]);
    expect(data(ask('cluster.local', RRType.SOA)!.answers)[0]).toMatchObject({ kind: 'SOA', refresh: 7200, retry: 1800, expire: 86400, minimum: 5 });
    expect(data(ask('cluster.local', RRType.NS)!.answers)).toEqual([{ kind: 'NS', target: 'ns.dns.cluster.local' }]);
    const withNs = new ClusterZone(view, { nameserverIP: '10.96.0.53' });
    expect(data(withNs.answer({ name: 'ns.dns.cluster.local', type: 1, class: 1 })!.answers)).toEqual([{ kind: 'A', address: '10.96.0.53' }]);
  });

  it('names outside the domain are not ours', () => {
    expect(ask('example.com')).toBeUndefined();
    expect(ask('notcluster.local')).toBeUndefined();
  });
});

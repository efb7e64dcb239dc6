// The cluster zone: what CoreDNS's kubernetes plugin answers for names under the cluster domain,
// following the Kubernetes DNS specification (kubernetes/dns docs/specification.md, schema 1.1.0),
// computed from a view of services and pods at the moment of the question (no cache to go stale).
// An ExternalName Service's name is a CNAME to its spec.externalName, followed inside the zone here
// and outside it by the server (through the forwarder), as CoreDNS does.
import { canonicalIP, dashedIP, ipFromDashed, ipFromReverseName, ipBytes } from './ip.js';
import { type DnsQuestion, type ResourceRecord, RCode, RRClass, RRType, record } from './message.js';
import { lowerName } from './names.js';

export interface DnsServicePort { name?: string; protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }
export interface DnsEndpoint { ip: string; hostname?: string; ready: boolean }
export interface DnsService {
  namespace: string;
  name: string;
  /** undefined: headless. */
  clusterIP?: string;
  ports: DnsServicePort[];
  /** For headless services: A records of the ready ones (the caller folds publishNotReadyAddresses into ready). */
  endpoints: DnsEndpoint[];
  /** type ExternalName: the name is a CNAME to this one (no trailing dot). */
  externalName?: string;
}
export interface ClusterDnsView {
  /** e.g. cluster.local */
  domain: string;
  services(): DnsService[];
  podIPs(): { ip: string; namespace: string }[];
}

export interface ClusterZoneOptions {
  /** TTL of answers and of the SOA (and its minimum, the negative TTL): CoreDNS's default 5. */
  ttl?: number;
  /**
   * `verified` (default): <a-b-c-d>.<ns>.pod.<domain> answers only for a pod with that IP in that
   * namespace (CoreDNS `pods verified`); `insecure`: for any well-formed address (`pods insecure`).
   */
  pods?: 'verified' | 'insecure';
  /** The DNS service's own address: answers ns.dns.<domain>, the SOA's and NS record's target. */
  nameserverIP?: string;
}

export interface ZoneAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** The answers end in a CNAME to a name outside the zone: the server asks for it upstream and appends. */
  follow?: { name: string; type: number };
}

/** CNAMEs followed inside the zone before giving up (an ExternalName pointing at another one, or at itself). */
const MAX_CNAME_CHAIN = 8;

/** What exists at one name: nothing (NXDOMAIN) is `undefined`; all fields empty is an empty non-terminal. */
interface Node {
  /** A CNAME owner (an ExternalName Service): nothing else may live at this name. */
  cname?: string;
  ips: string[];
  srv: { port: number; target: string; targetIPs: string[] }[];
  txt?: string[];
  apex?: boolean;
}
const empty = (): Node => ({ ips: [], srv: [] });

// The SOA's timers, as CoreDNS writes them; the serial is the zone's start time.
const SOA_REFRESH = 7200, SOA_RETRY = 1800, SOA_EXPIRE = 86400;
const SERIAL = Math.floor(Date.now() / 1000) >>> 0;

export class ClusterZone {
  private readonly ttl: number;
  private readonly domain: string;

  constructor(private readonly view: ClusterDnsView, private readonly opts: ClusterZoneOptions = {}) {
    this.ttl = opts.ttl ?? 5;
    this.domain = lowerName(view.domain);
  }

  /** True when `name` is the cluster domain or under it. */
  contains(name: string): boolean {
    const n = lowerName(name);
    return n === this.domain || n.endsWith('.' + this.domain);
  }

  /**
   * The answer to `q`, or undefined when it is not ours to give: a name outside the domain, or a
   * reverse name of an address the cluster does not know (both go to the upstream resolvers).
   */
  answer(q: DnsQuestion): ZoneAnswer | undefined {
    const qn = lowerName(q.name);
    if (qn.endsWith('.in-addr.arpa') || qn.endsWith('.ip6.arpa')) return this.reverse(q, qn);
    if (!this.contains(qn)) return undefined;
    if (q.class !== RRClass.IN && q.class !== RRClass.ANY) return { rcode: RCode.REFUSED, answers: [], authority: [], additional: [] };
    return this.lookup(q, qn, 0);
  }

  /** The answer at `qn` (lowercase, in the zone), a CNAME's target chased `depth` times already. */
  private lookup(q: DnsQuestion, qn: string, depth: number): ZoneAnswer {
    const rel = qn === this.domain ? [] : qn.slice(0, -(this.domain.length + 1)).split('.');
    const node = this.node(rel);
    if (!node) return { rcode: RCode.NXDOMAIN, answers: [], authority: [this.soa()], additional: [] };
    if (node.cname !== undefined) return this.alias(q, node.cname, depth);
    const out = this.records(q, node);
    if (out.answers.length === 0) out.authority.push(this.soa()); // NODATA: the name exists, not this type
    return out;
  }

  /**
   * A CNAME at the question's name (RFC 1034 3.6.2): the CNAME, then what its target has for the
   * type asked (not for CNAME or ANY questions), the final name's rcode (RFC 6604). A target in the
   * zone is looked up here; one outside it is left to the server (`follow`).
   */
  private alias(q: DnsQuestion, target: string, depth: number): ZoneAnswer {
    const cname = record(q.name, this.ttl, { kind: 'CNAME', target });
    const out: ZoneAnswer = { rcode: RCode.NOERROR, answers: [cname], authority: [], additional: [] };
    if (q.type === RRType.CNAME || q.type === RRType.ANY) return out;
    const t = lowerName(target);
    if (!this.contains(t)) return { ...out, follow: { name: target, type: q.type } };
    // A loop, or a chain longer than any resolver follows: the CNAMEs so far, SERVFAIL as CoreDNS's loop guard.
    if (depth + 1 >= MAX_CNAME_CHAIN) return { ...out, rcode: RCode.SERVFAIL };
    const next = this.lookup({ ...q, name: target }, t, depth + 1);
    return { ...next, answers: [cname, ...next.answers] };
  }

  private fqdn(...labels: string[]): string {
    return [...labels, this.domain].join('.');
  }

  private soa(): ResourceRecord {
    return record(this.domain, this.ttl, {
      kind: 'SOA', mname: this.fqdn('ns', 'dns'), rname: this.fqdn('hostmaster'), serial: SERIAL,
      refresh: SOA_REFRESH, retry: SOA_RETRY, expire: SOA_EXPIRE, minimum: this.ttl,
    });
  }

  private addressRecords(name: string, ips: string[], type: number): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const ip of ips) {
      const b = ipBytes(ip);
      if (b?.length === 4 && (type === RRType.A || type === RRType.ANY)) out.push(record(name, this.ttl, { kind: 'A', address: ip }));
      if (b?.length === 16 && (type === RRType.AAAA || type === RRType.ANY)) out.push(record(name, this.ttl, { kind: 'AAAA', address: ip }));
    }
    return out;
  }

  private records(q: DnsQuestion, node: Node): ZoneAnswer {
    const out: ZoneAnswer = { rcode: RCode.NOERROR, answers: [], authority: [], additional: [] };
    const t = q.type;
    const any = t === RRType.ANY;
    out.answers.push(...this.addressRecords(q.name, node.ips, t));
    if ((t === RRType.SRV || any) && node.srv.length > 0) {
      // One priority, the weight shared equally, as CoreDNS does (100 for a single target).
      const weight = Math.floor(100 / node.srv.length);
      const seen = new Set<string>();
      for (const s of node.srv) {
        out.answers.push(record(q.name, this.ttl, { kind: 'SRV', priority: 0, weight, port: s.port, target: s.target }));
        if (seen.has(s.target)) continue;
        seen.add(s.target);
        out.additional.push(...this.addressRecords(s.target, s.targetIPs, RRType.ANY));
      }
    }
    if ((t === RRType.TXT || any) && node.txt) out.answers.push(record(q.name, this.ttl, { kind: 'TXT', texts: node.txt }));
    if (node.apex && (t === RRType.SOA || any)) out.answers.push({ ...this.soa(), name: q.name });
    if (node.apex && (t === RRType.NS || any)) {
      out.answers.push(record(q.name, this.ttl, { kind: 'NS', target: this.fqdn('ns', 'dns') }));
      if (this.opts.nameserverIP) out.additional.push(...this.addressRecords(this.fqdn('ns', 'dns'), [this.opts.nameserverIP], RRType.ANY));
    }
    return out;
  }

  /** `rel`: the labels in front of the domain, lowercase. */
  private node(rel: string[]): Node | undefined {
    const n = rel.length;
    if (n === 0) return { ...empty(), apex: true };
    if (n === 1 && rel[0] === 'dns-version') return { ...empty(), txt: ['1.1.0'] };
    if (this.opts.nameserverIP && rel[n - 1] === 'dns') {
      if (n === 1) return empty();
      if (n === 2 && rel[0] === 'ns') return { ...empty(), ips: [this.opts.nameserverIP] };
      return undefined;
    }
    // Deeper names than any record (what ndots:5 search expansion makes) end here at once.
    if (rel[n - 1] === 'svc' && n <= 5) return this.serviceNode(rel.slice(0, -1));
    if (rel[n - 1] === 'pod' && n <= 3) return this.podNode(rel.slice(0, -1));
    return undefined;
  }

  private namespaceKnown(ns: string): boolean {
    return this.view.services().some((s) => s.namespace.toLowerCase() === ns)
      || this.view.podIPs().some((p) => p.namespace.toLowerCase() === ns);
  }

  /** rel: [..., svc, ns] without the trailing 'svc'. */
  private serviceNode(rel: string[]): Node | undefined {
    const n = rel.length;
    if (n === 0) return empty(); // svc.<domain>
    if (n === 1) return this.namespaceKnown(rel[0]!) ? empty() : undefined;
    const [svcName, ns] = rel.slice(-2) as [string, string];
    const svc = this.view.services().find((s) => s.name.toLowerCase() === svcName && s.namespace.toLowerCase() === ns);
    if (!svc) return undefined;
    if (svc.externalName !== undefined) return n === 2 ? { ...empty(), cname: svc.externalName } : undefined;
    const headless = svc.clusterIP === undefined;
    const ready = headless ? svc.endpoints.filter((e) => e.ready && canonicalIP(e.ip)) : [];
    const svcFqdn = this.fqdn(svcName, ns, 'svc');
    const endpointLabel = (e: DnsEndpoint): string => (e.hostname ?? dashedIP(canonicalIP(e.ip)!)).toLowerCase();
    const srvFor = (ports: DnsServicePort[]): Node['srv'] => ports.flatMap((p) => headless
      ? ready.map((e) => ({ port: p.port, target: `${endpointLabel(e)}.${svcFqdn}`, targetIPs: [e.ip] }))
      : [{ port: p.port, target: svcFqdn, targetIPs: [svc.clusterIP!] }]);
    const named = svc.ports.filter((p) => p.name);
    if (n === 2) return { ips: headless ? ready.map((e) => e.ip) : [svc.clusterIP!], srv: srvFor(named) };
    const first = rel[0]!;
    if (n === 3) {
      if (first.startsWith('_')) {
        // _<proto>.<svc>...: an empty non-terminal above the SRV names.
        return named.some((p) => '_' + p.protocol.toLowerCase() === first) ? empty() : undefined;
      }
      if (!headless) return undefined;
      const ips = ready.filter((e) => endpointLabel(e) === first).map((e) => e.ip);
      return ips.length ? { ips, srv: [] } : undefined;
    }
    // n === 4: _<port>._<proto>.<svc>.<ns>
    const [portLabel, protoLabel] = rel as [string, string];
    if (!portLabel.startsWith('_') || !protoLabel.startsWith('_')) return undefined;
    const ports = named.filter((p) => '_' + p.name!.toLowerCase() === portLabel && '_' + p.protocol.toLowerCase() === protoLabel);
    if (ports.length === 0) return undefined;
    return { ips: [], srv: srvFor(ports) };
  }

  /** rel: [..., ns] without the trailing 'pod'. */
  private podNode(rel: string[]): Node | undefined {
    if (rel.length === 0) return empty(); // pod.<domain>
    if (rel.length === 1) return this.namespaceKnown(rel[0]!) ? empty() : undefined;
    const [label, ns] = rel as [string, string];
    const ip = ipFromDashed(label);
    if (!ip) return undefined;
    if (this.opts.pods !== 'insecure'
      && !this.view.podIPs().some((p) => p.namespace.toLowerCase() === ns && canonicalIP(p.ip) === ip)) return undefined;
    return { ips: [ip], srv: [] };
  }

  /** PTR for addresses the cluster knows: cluster IPs, headless endpoints, then pods. */
  private reverse(q: DnsQuestion, qn: string): ZoneAnswer | undefined {
    const ip = ipFromReverseName(qn);
    if (!ip || q.class !== RRClass.IN || (q.type !== RRType.PTR && q.type !== RRType.ANY)) return undefined;
    const names: string[] = [];
    for (const s of this.view.services()) {
      const svc = this.fqdn(s.name.toLowerCase(), s.namespace.toLowerCase(), 'svc');
      if (s.clusterIP !== undefined) {
        if (canonicalIP(s.clusterIP) === ip) names.push(svc);
        continue;
      }
      for (const e of s.endpoints) {
        if (e.ready && canonicalIP(e.ip) === ip) names.push(`${(e.hostname ?? dashedIP(ip)).toLowerCase()}.${svc}`);
      }
    }
    if (names.length === 0) {
      for (const p of this.view.podIPs()) {
        if (canonicalIP(p.ip) === ip) names.push(this.fqdn(dashedIP(ip), p.namespace.toLowerCase(), 'pod'));
      }
    }
    if (names.length === 0) return undefined;
    return {
      rcode: RCode.NOERROR,
      answers: [...new Set(names)].map((target) => record(q.name, this.ttl, { kind: 'PTR', target })),
      authority: [], additional: [],
    };
  }
}

// The Service proxy's nftables table, rendered whole from the model, in the shape of kube-proxy's
// nftables mode (pkg/proxy/nftables): a verdict map from ClusterIP . protocol . port to one chain per
// Service port, which picks an endpoint with `numgen random` and jumps to one chain per endpoint that
// DNATs. The caller replaces the table atomically (serviceProxy.ts), so rendering is pure.
//
// Who reaches what:
// - ClusterIPs: from pods (prerouting: only the pod CIDR arriving on this node's bridge) and from the host
//   (output hook). Pods route the service CIDR via the gateway, the host routes it to the bridge
//   (podNetwork.ts, bridge.ts), so nothing for a ClusterIP ever follows a default route off the machine.
// - NodePorts: from the host only, on 127.0.0.1 and any of its own addresses (`fib daddr type local`),
//   and from this node's pods (as with kube-proxy, a pod may use the node's IP). Connections from other
//   machines are never DNATed here, and the pod firewall (firewall.ts) drops anything forwarded to the
//   bridge from another interface anyway: NodePorts are not an external entry point on tinylet.
// - Replies: every DNATed connection leaving through the bridge is masqueraded to the gateway address.
//   Pods share one L2 bridge, so without it pod B would answer pod A directly, with its own address
//   instead of the ClusterIP, and A would drop the reply; a pod reaching itself through its Service
//   (hairpin) needs it too. Pods therefore see the gateway as the client of Service traffic.
import { createHash } from 'node:crypto';
import { cidrString, type Cidr } from '../runtime/network/cidr.js';
import type { ProxyEndpoint, ProxyPort, ProxyService } from './serviceModel.js';

export interface ServiceRulesInput {
  /** The table's name, in the `ip` family (serviceTableName). */
  table: string;
  bridge: string;
  podCIDR: Cidr;
  serviceCIDR: Cidr;
  services: ProxyService[];
  /**
   * ClientIP affinity entries to carry over, by set name: the table is replaced whole on every sync,
   * and kube-proxy's clients keep their endpoint across resyncs (serviceProxy.ts reads them first).
   */
  affinity?: Record<string, AffinityEntry[]>;
}

/** A client in an affinity set, with the seconds until it forgets its endpoint. */
export interface AffinityEntry {
  ip: string;
  expiresSeconds: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const validPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/** `tinylet-svc-<bridge>`: one table per node, beside the firewall's `inet tinylet-<bridge>`. */
export function serviceTableName(bridge: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(bridge)) throw new Error(`bridge name "${bridge}" cannot name an nftables table (use letters, digits, _ . -)`);
  return `tinylet-svc-${bridge}`;
}

/**
 * A readable, unique nft identifier, as kube-proxy names its chains: a hash of the exact key (unique
 * even if cleaning changed it) then the key itself, limited to what nft identifiers allow.
 */
function ident(prefix: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${prefix}-${hash}-${key.replace(/[^A-Za-z0-9/._-]/g, '_')}`.slice(0, 200);
}

interface PortRules {
  proto: 'tcp' | 'udp';
  clusterIP: string;
  port: ProxyPort;
  chain: string;
  endpoints: { ep: ProxyEndpoint; chain: string; affinitySet?: string }[];
}

/** The model's usable Service ports: IPv4 ClusterIPs and endpoints, valid ports, duplicates dropped. */
function collect(services: ProxyService[]): { ports: PortRules[]; clusterIPs: string[]; affinity: Map<string, number> } {
  const ports: PortRules[] = [];
  const clusterIPs = new Set<string>();
  const affinity = new Map<string, number>();
  const seen = new Set<string>();
  for (const svc of services) {
    if (!svc.clusterIP || !IPV4.test(svc.clusterIP)) continue; // headless (or not IPv4): no rules
    clusterIPs.add(svc.clusterIP);
    const timeout = svc.affinityTimeoutSeconds && svc.affinityTimeoutSeconds > 0 ? Math.floor(svc.affinityTimeoutSeconds) : undefined;
    for (const port of svc.ports) {
      const proto = port.protocol === 'UDP' ? 'udp' : 'tcp';
      const key = `${svc.namespace}/${svc.name}/${proto}/${port.port}`;
      if (!validPort(port.port) || seen.has(`${svc.clusterIP}/${proto}/${port.port}`)) continue;
      seen.add(`${svc.clusterIP}/${proto}/${port.port}`);
      const eps = new Map<string, ProxyEndpoint>();
      for (const ep of port.endpoints) if (IPV4.test(ep.ip) && validPort(ep.port)) eps.set(`${ep.ip}/${ep.port}`, ep);
      const endpoints = [...eps].map(([epKey, ep]) => {
        const chain = ident('ep', `${key}__${epKey}`);
        const affinitySet = timeout ? ident('aff', `${key}__${epKey}`) : undefined;
        if (affinitySet) affinity.set(affinitySet, timeout!);
        return { ep, chain, affinitySet };
      });
      ports.push({ proto, clusterIP: svc.clusterIP, port, chain: ident('svc', key), endpoints });
    }
  }
  return { ports, clusterIPs: [...clusterIPs], affinity };
}

const block = (head: string, lines: string[]) => [`${head} {`, ...lines.map((l) => `  ${l}`), '}'];
const elements = (items: string[]) => (items.length ? [`elements = { ${items.join(', ')} }`] : []);

/** The whole table, as `nft -f -` reads it. */
export function serviceRules(input: ServiceRulesInput): string {
  const br = JSON.stringify(input.bridge);
  const { ports, clusterIPs, affinity } = collect(input.services);
  const withEndpoints = ports.filter((p) => p.endpoints.length > 0);
  const serviceIPs = withEndpoints.map((p) => `${p.clusterIP} . ${p.proto} . ${p.port.port} : goto ${p.chain}`);
  const nodePorts = new Map<string, string>();
  for (const p of withEndpoints) if (p.port.nodePort && validPort(p.port.nodePort)) nodePorts.set(`${p.proto} . ${p.port.nodePort}`, `goto ${p.chain}`);

  const out: string[][] = [
    block('map service-ips', ['type ipv4_addr . inet_proto . inet_service : verdict', ...elements(serviceIPs)]),
    block('map service-nodeports', ['type inet_proto . inet_service : verdict', ...elements([...nodePorts].map(([k, v]) => `${k} : ${v}`))]),
    block('set cluster-ips', ['type ipv4_addr', ...elements(clusterIPs)]),
    ...[...affinity].map(([name, timeout]) => {
      const kept = (input.affinity?.[name] ?? []).filter((e) => IPV4.test(e.ip) && e.expiresSeconds >= 1);
      const items = kept.map((e) => `${e.ip} expires ${Math.min(Math.floor(e.expiresSeconds), timeout)}s`);
      return block(`set ${name}`, ['type ipv4_addr', 'flags dynamic,timeout', `timeout ${timeout}s`, ...elements(items)]);
    }),
    // nat chains see only a connection's first packet; conntrack applies the DNAT to the rest.
    block('chain nat-prerouting', ['type nat hook prerouting priority dstnat; policy accept;', `iifname ${br} ip saddr ${cidrString(input.podCIDR)} jump services`]),
    // -100 is dstnat, a name nft 1.0.6 accepts for prerouting only.
    block('chain nat-output', ['type nat hook output priority -100; policy accept;', 'jump services']),
    block('chain nat-postrouting', ['type nat hook postrouting priority srcnat; policy accept;', `oifname ${br} ct status dnat masquerade`]),
    block('chain services', ['ip daddr . meta l4proto . th dport vmap @service-ips', 'fib daddr type local meta l4proto . th dport vmap @service-nodeports']),
    // After DNAT (priority filter > dstnat): a new connection still addressed to a ClusterIP found no
    // endpoint, or no such port; refuse it at once, as kube-proxy does, instead of letting it time out.
    block('chain filter-forward', ['type filter hook forward priority filter; policy accept;', 'ct state new jump service-checks']),
    block('chain filter-output', [
      'type filter hook output priority filter; policy accept;',
      'ct state new jump service-checks',
      // The host routes pod -> Service -> pod back out the bridge it came in on, and would tell the
      // client pod with an ICMP redirect to go to the endpoint directly, bypassing the DNAT next time.
      `oifname ${br} icmp type redirect drop`,
    ]),
    block('chain service-checks', [
      'ip daddr @cluster-ips meta l4proto tcp reject with tcp reset',
      'ip daddr @cluster-ips reject with icmp type port-unreachable',
      // Unallocated ClusterIPs: dropped, as kube-proxy does; they never leave the bridge anyway.
      `ip daddr ${cidrString(input.serviceCIDR)} drop`,
    ]),
  ];
  for (const p of withEndpoints) {
    const goto = p.endpoints.map((e, i) => `${i} : goto ${e.chain}`).join(', ');
    out.push(
      block(`chain ${p.chain}`, [
        // ClientIP affinity: a client seen recently goes back to its endpoint; the others draw one.
        ...p.endpoints.filter((e) => e.affinitySet).map((e) => `ip saddr @${e.affinitySet} goto ${e.chain}`),
        `numgen random mod ${p.endpoints.length} vmap { ${goto} }`,
      ]),
    );
    for (const e of p.endpoints) {
      out.push(
        block(`chain ${e.chain}`, [
          ...(e.affinitySet ? [`update @${e.affinitySet} { ip saddr }`] : []),
          `meta l4proto ${p.proto} dnat to ${e.ep.ip}:${e.ep.port}`,
        ]),
      );
    }
  }
  const body = out.flat().map((l) => `  ${l}`);
  return `table ip ${input.table} {\n${body.join('\n')}\n}\n`;
}

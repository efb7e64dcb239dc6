import { writeFile } from 'node:fs/promises';
import { cidrString, gatewayOf, ipToString, type Cidr } from './cidr.js';
import { runProcess } from '../runProcess.js';
import { ensureFirewall, removeFirewall } from './firewall.js';
import { ipBatch, linkExists } from './ip.js';

/** Metric of the catch-all routes: they only win if the bridge's own routes are gone (bridge down). */
const UNREACHABLE_METRIC = 4242;

/** Writes a per-interface IPv4 sysctl (`net.ipv4.conf.<dev>.<key>`), never the `all` one. */
export async function setBridgeSysctl(dev: string, key: string, value: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv4/conf/${dev}/${key}`, `${value}\n`);
}

/**
 * The node's pod bridge, with the gateway address, plus an `unreachable` route for the whole CIDR so
 * traffic to pod addresses can never be routed off the machine, even while the bridge is down, and
 * the bridge's nftables table (firewall.ts), installed first so the bridge never exists without it.
 * With a service CIDR, the host routes it to the bridge too (backed by its own `unreachable` route):
 * the host's connections to ClusterIPs then get past the routing decision to the Service proxy's DNAT
 * (src/proxy/), and anything no rule matches stays on the bridge instead of following the default
 * route off the machine. Idempotent: an existing bridge is kept and its table replaced.
 */
export async function ensureBridge(name: string, cidr: Cidr, opts: { podHostAccess?: boolean; serviceCIDR?: Cidr } = {}): Promise<void> {
  // The `kubernetes` Service's ClusterIP (the range's first address) may reach the API on the gateway.
  await ensureFirewall(name, cidr, opts.podHostAccess ?? false, opts.serviceCIDR ? ipToString(opts.serviceCIDR.base + 1) : undefined);
  const commands = [`route replace unreachable ${cidrString(cidr)} metric ${UNREACHABLE_METRIC}`];
  if (!linkExists(name)) {
    commands.unshift(`link add name ${name} type bridge`, `addr add ${gatewayOf(cidr)}/${cidr.prefix} dev ${name}`);
  }
  commands.push(`link set ${name} up`);
  if (opts.serviceCIDR) {
    const svc = cidrString(opts.serviceCIDR);
    commands.push(`route replace unreachable ${svc} metric ${UNREACHABLE_METRIC}`, `route replace ${svc} dev ${name}`);
  }
  await ipBatch(commands);
  // Pod -> ClusterIP -> pod is routed by the host, in and out of the bridge: forwarding on for packets
  // arriving on the bridge only (the host's ip_forward is not tinylet's; the firewall keeps them on
  // the bridge). route_localnet lets host -> 127.0.0.1:nodePort, DNATed to a pod, leave through the
  // bridge and its replies come back (per bridge, never `all`). Both go away with the bridge.
  await setBridgeSysctl(name, 'forwarding', '1');
  await setBridgeSysctl(name, 'route_localnet', '1');
}

/**
 * Removes the bridge, its table and its catch-all routes. The service CIDR's is found from the
 * bridge's own routes too, for callers that do not know it; its dev route dies with the bridge.
 */
export async function removeBridge(name: string, cidr: Cidr, serviceCIDR?: Cidr): Promise<void> {
  const nets = new Set([cidrString(cidr), ...(serviceCIDR ? [cidrString(serviceCIDR)] : []), ...(await routedToBridge(name))]);
  for (const net of nets) await ipBatch([`route del unreachable ${net} metric ${UNREACHABLE_METRIC}`]).catch(() => undefined);
  if (linkExists(name)) await ipBatch([`link del ${name}`]);
  await removeFirewall(name);
}

/** Prefixes tinylet routed to the bridge (not the kernel's connected route): the service CIDR. */
async function routedToBridge(name: string): Promise<string[]> {
  const r = await runProcess('ip', ['-4', '-o', 'route', 'show', 'dev', name]);
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((line) => line && !/\bproto kernel\b/.test(line))
    .map((line) => line.split(' ')[0])
    .filter((net) => /^[\d.]+\/\d+$/.test(net));
}

/** The interfaces attached to the bridge (the host ends of pod veths). */
export async function bridgePorts(name: string): Promise<string[]> {
  const r = await runProcess('ip', ['-o', 'link', 'show', 'master', name]);
  return r.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1])
    .filter((port): port is string => !!port);
}

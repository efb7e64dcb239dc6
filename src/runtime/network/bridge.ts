import { cidrString, gatewayOf, type Cidr } from './cidr.js';
import { runProcess } from '../runProcess.js';
import { ensureFirewall, removeFirewall } from './firewall.js';
import { ipBatch, ipOk } from './ip.js';

/** Metric of the catch-all route: it only wins if the bridge's own connected route is gone. */
const UNREACHABLE_METRIC = 4242;

/**
 * The node's pod bridge, with the gateway address, plus an `unreachable` route for the whole CIDR so
 * traffic to pod addresses can never be routed off the machine, even while the bridge is down, and
 * the bridge's nftables table (firewall.ts), installed first so the bridge never exists without it.
 * Idempotent: an existing bridge is kept and its table replaced.
 */
export async function ensureBridge(name: string, cidr: Cidr, opts: { podHostAccess?: boolean } = {}): Promise<void> {
  await ensureFirewall(name, cidr, opts.podHostAccess ?? false);
  const commands = [`route replace unreachable ${cidrString(cidr)} metric ${UNREACHABLE_METRIC}`];
  if (!(await ipOk(['link', 'show', 'dev', name]))) {
    commands.unshift(`link add name ${name} type bridge`, `addr add ${gatewayOf(cidr)}/${cidr.prefix} dev ${name}`);
  }
  commands.push(`link set ${name} up`);
  await ipBatch(commands);
}

export async function removeBridge(name: string, cidr: Cidr): Promise<void> {
  await ipBatch([`route del unreachable ${cidrString(cidr)} metric ${UNREACHABLE_METRIC}`]).catch(() => undefined);
  if (await ipOk(['link', 'show', 'dev', name])) await ipBatch([`link del ${name}`]);
  await removeFirewall(name);
}

/** The interfaces attached to the bridge (the host ends of pod veths). */
export async function bridgePorts(name: string): Promise<string[]> {
  const r = await runProcess('ip', ['-o', 'link', 'show', 'master', name]);
  return r.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1])
    .filter((port): port is string => !!port);
}

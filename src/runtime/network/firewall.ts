// The pod network's firewall: one nftables table per bridge. Pods get no default route and, without
// NET_ADMIN, cannot add one, but a privileged pod can, a pod with NET_RAW can hand-craft frames to the
// bridge's MAC address, and whether the host forwards packets depends on its ip_forward
// setting, which tinylet does not own. These rules keep pod traffic on the machine whatever the host's
// routes and sysctls say: nothing is forwarded between the bridge (or the pod CIDR) and any other
// interface, and, unless the agent config sets podHostAccess, a pod cannot open connections to the
// host itself (but for the cluster DNS port 53 on the gateway address), so services bound to 0.0.0.0
// (sshd, a widely bound agent API) stay out of its reach while the kubelet's own probes to pod IPs, and
// their replies, still work. Pod -> ClusterIP -> pod traffic (src/proxy/) enters and leaves through the
// bridge, which the forward chain accepts.
import { cidrString, gatewayOf, type Cidr } from './cidr.js';
import { runProcess, type ProcessResult } from '../runProcess.js';

const MISSING_NFT = 'nft is missing: the pod network firewall needs nftables (apt-get install nftables)';

/** `tinylet-<bridge>`; the bridge name is unique per node, so the table name is too. */
export function firewallTableName(bridge: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(bridge)) throw new Error(`bridge name "${bridge}" cannot name an nftables table (use letters, digits, _ . -)`);
  return `tinylet-${bridge}`;
}

/**
 * The table's definition (the inet family covers IPv4 and IPv6). `apiServiceIP`: the `kubernetes`
 * Service's ClusterIP, through which pods reach the agent's API listener on the gateway address.
 */
export function firewallRules(bridge: string, cidr: Cidr, podHostAccess: boolean, apiServiceIP?: string): string {
  const br = JSON.stringify(bridge);
  const net = cidrString(cidr);
  const forward = [
    'chain forward {',
    '  type filter hook forward priority filter; policy accept;',
    // Bridged pod-to-pod frames pass this hook too when br_netfilter is loaded: keep them.
    `  iifname ${br} oifname ${br} accept`,
    `  iifname ${br} drop`,
    `  oifname ${br} drop`,
    `  ip saddr ${net} drop`,
    `  ip daddr ${net} drop`,
    '}',
  ];
  const input = [
    'chain input {',
    '  type filter hook input priority filter; policy accept;',
    // Replies to connections the host opened (probes, the host reaching a pod IP).
    `  iifname ${br} ct state established,related accept`,
    // IPv6's ARP: neighbour discovery reaches no service, and the host's own IPv6 to a pod needs it.
    `  iifname ${br} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept`,
    // The cluster DNS server the agent runs on the gateway address: the one host service pods always reach.
    `  iifname ${br} ip daddr ${gatewayOf(cidr)} meta l4proto { tcp, udp } th dport 53 accept`,
    // The API, for pods, only as the `kubernetes` Service: a connection to its ClusterIP that the
    // Service proxy DNATed to the gateway (the API's pod listener), never the gateway's ports directly.
    ...(apiServiceIP ? [`  iifname ${br} ip daddr ${gatewayOf(cidr)} ct status dnat ct original ip daddr ${apiServiceIP} accept`] : []),
    `  iifname ${br} drop`,
    '}',
  ];
  // The gateway's listeners (cluster DNS, the API for pods) serve this host and its pods, not the
  // networks of the host's other interfaces, whatever routes their machines have to the pod CIDR.
  const gatewayOnly = [
    'chain input-gateway {',
    '  type filter hook input priority filter; policy accept;',
    `  ip daddr ${gatewayOf(cidr)} iifname != { "lo", ${br} } drop`,
    '}',
  ];
  const chains = podHostAccess ? [...forward, ...gatewayOnly] : [...forward, ...input, ...gatewayOnly];
  return `table inet ${firewallTableName(bridge)} {\n${chains.map((l) => `  ${l}`).join('\n')}\n}\n`;
}

async function nft(script: string): Promise<ProcessResult> {
  try {
    return await runProcess('nft', ['-f', '-'], script);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(MISSING_NFT);
    throw err;
  }
}

/**
 * Creates or replaces the bridge's table in one nft transaction: `add` makes the `delete` safe when
 * the table is new (nft 1.0.6, Debian 12, has no `destroy`), and no packet ever sees half a ruleset.
 */
export async function ensureFirewall(bridge: string, cidr: Cidr, podHostAccess: boolean, apiServiceIP?: string): Promise<void> {
  const table = `inet ${firewallTableName(bridge)}`;
  const r = await nft(`add table ${table}\ndelete table ${table}\n${firewallRules(bridge, cidr, podHostAccess, apiServiceIP)}`);
  if (r.exitCode !== 0) throw new Error(`nft: installing table ${table} failed: ${r.stderr || r.stdout}`.trim());
}

/**
 * Deletes the bridge's table, and the agent's Service rules for it (`ip tinylet-svc-<bridge>`,
 * src/proxy/), which an agent killed with SIGKILL leaves; nothing to do when they are gone (or nft
 * is, as then they never existed).
 */
export async function removeFirewall(bridge: string): Promise<void> {
  const table = `inet ${firewallTableName(bridge)}`;
  const services = `ip tinylet-svc-${bridge}`;
  const r = await nft(`add table ${table}\ndelete table ${table}\nadd table ${services}\ndelete table ${services}\n`).catch((err: Error) => {
    if (err.message === MISSING_NFT) return undefined;
    throw err;
  });
  if (r && r.exitCode !== 0) throw new Error(`nft: deleting table ${table} failed: ${r.stderr || r.stdout}`.trim());
}

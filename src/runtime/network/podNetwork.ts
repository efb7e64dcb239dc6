import { createHash } from 'node:crypto';
import { cidrString, gatewayOf, type Cidr } from './cidr.js';
import { ipBatch, linkExists } from './ip.js';

export interface PodNetwork {
  ip: string;
  hostVeth: string;
}

/** Interface names are limited to 15 characters: derive a stable short id from the pod's uid. */
export function vethNames(uid: string, bridge: string): { host: string; peer: string } {
  const id = createHash('sha1').update(`${bridge}/${uid}`).digest('hex').slice(0, 10);
  return { host: `tl${id}`, peer: `tp${id}` };
}

/** What the pause process makes of the pod network in its new netns (agent/podnet.c). */
export interface SandboxNetwork {
  /** The host end's name (the pod end is eth0). */
  hostVeth: string;
  bridge: string;
  /** The pod IP with the pod CIDR's prefix. */
  ipCidr: string;
  /** The service CIDR, routed via the gateway, where the Service proxy's DNAT turns ClusterIPs into pod IPs. */
  route?: string;
  gateway?: string;
}

/**
 * One veth per pod: the host end on the bridge (hairpin on, as the bridge CNI plugin's hairpinMode,
 * so a pod reaches itself through its Service), the other end eth0 in the pod's netns with the pod IP.
 * No default route inside the pod: the only reachable networks are the pod CIDR and, when given, the
 * service CIDR via the gateway. Made by the pause process over netlink as it starts (no `ip` processes).
 */
export function sandboxNetwork(opts: { uid: string; ip: string; bridge: string; cidr: Cidr; serviceCIDR?: Cidr }): SandboxNetwork {
  const { host } = vethNames(opts.uid, opts.bridge);
  return {
    hostVeth: host,
    bridge: opts.bridge,
    ipCidr: `${opts.ip}/${opts.cidr.prefix}`,
    ...(opts.serviceCIDR ? { route: cidrString(opts.serviceCIDR), gateway: gatewayOf(opts.cidr) } : {}),
  };
}

export function podNetwork(ip: string, net: SandboxNetwork): PodNetwork {
  return { ip, hostVeth: net.hostVeth };
}

/** The veth dies with the netns; this removes the host end early, or after a crash left it behind. */
export async function detachPodNetwork(hostVeth: string): Promise<boolean> {
  if (!linkExists(hostVeth)) return false;
  await ipBatch([`link del ${hostVeth}`]).catch(() => undefined);
  return true;
}

import { createHash } from 'node:crypto';
import { cidrString, gatewayOf, type Cidr } from './cidr.js';
import { ipBatch, ipOk } from './ip.js';

export interface PodNetwork {
  ip: string;
  hostVeth: string;
}

/** Interface names are limited to 15 characters: derive a stable short id from the pod's uid. */
export function vethNames(uid: string, bridge: string): { host: string; peer: string } {
  const id = createHash('sha1').update(`${bridge}/${uid}`).digest('hex').slice(0, 10);
  return { host: `tl${id}`, peer: `tp${id}` };
}

/**
 * One veth per pod: the host end on the bridge, the other end moved into the pause process's netns as
 * eth0. No default route is set inside the pod: the only reachable networks are the pod CIDR and,
 * when given, the service CIDR via the gateway, where the Service proxy's DNAT (src/proxy/) turns
 * ClusterIPs into pod IPs.
 */
export async function attachPodNetwork(opts: { pid: number; uid: string; ip: string; bridge: string; cidr: Cidr; serviceCIDR?: Cidr }): Promise<PodNetwork> {
  const { host, peer } = vethNames(opts.uid, opts.bridge);
  try {
    await ipBatch([
      `link add ${host} type veth peer name ${peer}`,
      `link set ${host} master ${opts.bridge}`,
      // Hairpin, as the bridge CNI plugin's hairpinMode: a pod reaching itself through its Service.
      // With br_netfilter loaded, the DNATed frame is bridged back out the port it came in on, which
      // a bridge refuses unless that port allows it.
      `link set ${host} type bridge_slave hairpin on`,
      `link set ${host} up`,
      `link set ${peer} netns ${opts.pid}`,
    ]);
    await ipBatch(
      [
        'link set lo up',
        `link set ${peer} name eth0`,
        `addr add ${opts.ip}/${opts.cidr.prefix} dev eth0`,
        'link set eth0 up',
        ...(opts.serviceCIDR ? [`route add ${cidrString(opts.serviceCIDR)} via ${gatewayOf(opts.cidr)} dev eth0`] : []),
      ],
      opts.pid,
    );
  } catch (err) {
    // The sandbox died half-way (deleted while starting): do not leave the pair in the host's namespace.
    await detachPodNetwork(host);
    throw err;
  }
  return { ip: opts.ip, hostVeth: host };
}

/** Only `lo` needs bringing up when the pod has a netns but no pod network (not root, or disabled). */
export async function bringUpLoopback(pid: number): Promise<void> {
  await ipBatch(['link set lo up'], pid);
}

/** The veth dies with the netns; this removes the host end early, or after a crash left it behind. */
export async function detachPodNetwork(hostVeth: string): Promise<boolean> {
  if (!(await ipOk(['link', 'show', 'dev', hostVeth]))) return false;
  await ipBatch([`link del ${hostVeth}`]).catch(() => undefined);
  return true;
}

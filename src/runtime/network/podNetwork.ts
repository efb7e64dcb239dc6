import { createHash } from 'node:crypto';
import type { Cidr } from './cidr.js';
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
 * eth0. No default route is set inside the pod: the only reachable network is the pod CIDR.
 */
export async function attachPodNetwork(opts: { pid: number; uid: string; ip: string; bridge: string; cidr: Cidr }): Promise<PodNetwork> {
  const { host, peer } = vethNames(opts.uid, opts.bridge);
  try {
    await ipBatch([
      `link add ${host} type veth peer name ${peer}`,
      `link set ${host} master ${opts.bridge}`,
      `link set ${host} up`,
      `link set ${peer} netns ${opts.pid}`,
    ]);
    await ipBatch(
      [
        'link set lo up',
        `link set ${peer} name eth0`,
        `addr add ${opts.ip}/${opts.cidr.prefix} dev eth0`,
        'link set eth0 up',
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

import { parseCidr, type Cidr } from './cidr.js';
import { bridgePorts, ensureBridge, removeBridge } from './bridge.js';
import { Ipam } from './ipam.js';
import { attachPodNetwork, bringUpLoopback, detachPodNetwork } from './podNetwork.js';

/** The node's pod network: one bridge, one IP pool, one veth per pod. */
export class NetworkManager {
  readonly cidr: Cidr;
  private readonly ipam: Ipam;
  private ready: Promise<void> | undefined;

  constructor(
    readonly bridge: string,
    cidrText: string,
    readonly enabled: boolean,
    randomIpStart = false,
    /** Let pods open connections to the host's own addresses (agent config podHostAccess). */
    readonly podHostAccess = false,
  ) {
    this.cidr = parseCidr(cidrText);
    this.ipam = new Ipam(this.cidr, randomIpStart);
  }

  private ensure(): Promise<void> {
    // A failure (nft not installed yet) is not remembered: the next pod tries again.
    this.ready ??= ensureBridge(this.bridge, this.cidr, { podHostAccess: this.podHostAccess }).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /** Gives the sandbox a pod IP on the bridge (or only loopback when the pod network is off). */
  async attach(pid: number, uid: string, preferredIp?: string): Promise<{ ip?: string; hostVeth?: string }> {
    if (!this.enabled) {
      await bringUpLoopback(pid);
      return {};
    }
    await this.ensure();
    const ip = preferredIp && this.ipam.claim(preferredIp) ? preferredIp : this.ipam.allocate();
    try {
      return await attachPodNetwork({ pid, uid, ip, bridge: this.bridge, cidr: this.cidr });
    } catch (err) {
      this.ipam.release(ip);
      throw err;
    }
  }

  async detach(net: { ip?: string; hostVeth?: string }): Promise<void> {
    if (net.hostVeth) await detachPodNetwork(net.hostVeth);
    if (net.ip) this.ipam.release(net.ip);
  }

  /** Removes the bridge when no pod is attached any more (the end of `tinylet run`). */
  async destroyIfUnused(): Promise<void> {
    if (!this.enabled || !this.ready) return;
    if ((await bridgePorts(this.bridge)).length === 0) await this.destroy();
  }

  /** Removes the bridge, its route and its nftables table (agent shutdown in tests; a real node keeps them). */
  async destroy(): Promise<void> {
    if (this.enabled && this.ready) await removeBridge(this.bridge, this.cidr);
    this.ready = undefined;
  }
}

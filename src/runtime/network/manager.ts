import { gatewayOf, parseCidr, type Cidr } from './cidr.js';
import { bridgePorts, ensureBridge, removeBridge } from './bridge.js';
import { Ipam } from './ipam.js';
import { detachPodNetwork, sandboxNetwork, type SandboxNetwork } from './podNetwork.js';

/** The node's pod network: one bridge, one IP pool, one veth per pod. */
export class NetworkManager {
  readonly cidr: Cidr;
  /** The bridge's address: the pods' gateway, where the agent's cluster DNS listens. */
  readonly gateway: string;
  /** Routed from pods and the host to the bridge, where the Service proxy DNATs ClusterIPs. */
  readonly serviceCIDR: Cidr | undefined;
  private readonly ipam: Ipam;
  private ready: Promise<void> | undefined;

  constructor(
    readonly bridge: string,
    cidrText: string,
    readonly enabled: boolean,
    randomIpStart = false,
    /** Let pods open connections to the host's own addresses (agent config podHostAccess). */
    readonly podHostAccess = false,
    /** The agent config's serviceCIDR; without it pods and the host get no route to ClusterIPs. */
    serviceCIDRText?: string,
  ) {
    this.cidr = parseCidr(cidrText);
    this.gateway = gatewayOf(this.cidr);
    this.serviceCIDR = serviceCIDRText === undefined ? undefined : parseCidr(serviceCIDRText);
    this.ipam = new Ipam(this.cidr, randomIpStart);
  }

  /** Brings up the bridge, its routes and firewall (once; a failure is retried by the next caller). */
  ensureReady(): Promise<void> {
    return this.ensure();
  }

  private ensure(): Promise<void> {
    // A failure (nft not installed yet) is not remembered: the next pod tries again.
    this.ready ??= ensureBridge(this.bridge, this.cidr, { podHostAccess: this.podHostAccess, serviceCIDR: this.serviceCIDR }).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /**
   * A pod IP on the bridge and what the pause process needs to make the pod's network as it starts
   * (undefined when the pod network is off: the new netns gets only its loopback). The caller
   * releases the IP with `detach` if the sandbox does not start.
   */
  async reserve(uid: string, preferredIp?: string): Promise<{ ip: string; sandbox: SandboxNetwork } | undefined> {
    if (!this.enabled) return undefined;
    await this.ensure();
    const ip = preferredIp && this.ipam.claim(preferredIp) ? preferredIp : this.ipam.allocate();
    return { ip, sandbox: sandboxNetwork({ uid, ip, bridge: this.bridge, cidr: this.cidr, serviceCIDR: this.serviceCIDR }) };
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

  /** Removes the bridge, its routes and its nftables table (agent shutdown in tests; a real node keeps them). */
  async destroy(): Promise<void> {
    if (this.enabled && this.ready) await removeBridge(this.bridge, this.cidr, this.serviceCIDR);
    this.ready = undefined;
  }
}

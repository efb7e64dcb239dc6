// What makes Services work on this node: kube-proxy (nftables rules in the agent's own table, kept
// in line with every Service and Endpoints change) and the cluster DNS server on the pod bridge.
// Both come with the pod network and go with the agent.
import { kubeDnsIP } from '../controllers/bootstrapServices.js';
import { clusterDnsView, proxyServices } from '../controllers/serviceViews.js';
import { DnsServer } from '../dns/dnsServer.js';
import type { Pod } from '../api/types.js';
import type { AgentConfig } from '../kubelet/config.js';
import type { NetworkManager } from '../runtime/network/manager.js';
import { ServiceProxy } from '../proxy/serviceProxy.js';
import type { ObjectStore } from '../store/objectStore.js';

const PROXIED = new Set(['services', 'endpoints']);

export class ServiceNetworking {
  readonly proxy?: ServiceProxy;
  private dns?: DnsServer;
  private unsubscribe?: () => void;

  constructor(
    private readonly config: AgentConfig,
    private readonly network: NetworkManager,
    private readonly store: ObjectStore,
    private readonly pods: () => Pod[],
    opts: { proxyTable?: string } = {},
  ) {
    if (network.enabled) this.proxy = new ServiceProxy({ bridge: config.bridgeName, podCIDR: config.podCIDR, serviceCIDR: config.serviceCIDR, table: opts.proxyTable });
  }

  /** The DNS server's address (the bridge's), once it listens. */
  get dnsAddress(): string | undefined {
    return this.dns ? this.network.gateway : undefined;
  }

  /**
   * Brings up the bridge, then the DNS server on its address and the proxy's rules. A failure
   * (nft missing, port 53 taken) is reported and leaves pods running without Services.
   */
  async start(): Promise<void> {
    if (!this.proxy) return;
    this.unsubscribe = this.store.onChange((c) => {
      if (PROXIED.has(c.resource)) this.proxy!.sync(proxyServices(this.store));
    });
    try {
      await this.network.ensureReady();
      // TINYLET_DNS_OFFLINE=1 (the test suite): names outside the cluster get SERVFAIL instead of
      // going to the host's resolvers, so no query leaves the machine.
      const offline = process.env.TINYLET_DNS_OFFLINE === '1';
      const dns = new DnsServer({ view: clusterDnsView(this.config.clusterDomain, this.store, this.pods), zone: { nameserverIP: kubeDnsIP(this.config) }, ...(offline ? { upstreams: [] } : {}) });
      await dns.listen(this.network.gateway, 53);
      this.dns = dns;
    } catch (err) {
      console.error(`tinylet: cluster DNS is off: ${(err as Error)?.message ?? String(err)}`);
    }
    this.proxy.sync(proxyServices(this.store));
    await this.proxy.flush();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.dns?.close().catch(() => undefined);
    this.dns = undefined;
    await this.proxy?.remove().catch((err: Error) => console.error(`tinylet: removing the Service rules: ${err.message}`));
  }
}

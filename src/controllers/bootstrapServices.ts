// The Services every cluster has: `kubernetes` in default (the API, first IP of the service range,
// as the API server's bootstrap controller keeps it) and `kube-dns` in kube-system (the tenth IP,
// the cluster DNS the agent serves on the pod bridge). Both have no selector: their Endpoints are
// the agent's own addresses. Put back if deleted, as the bootstrap controller does.
import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../api/time.js';
import type { Endpoints, Service } from '../api/types.js';
import type { AgentConfig } from '../kubelet/config.js';
import { ipToString, parseCidr } from '../runtime/network/cidr.js';
import type { ServiceAllocations } from '../server/registry/kinds/services.js';
import type { ApiObject, ObjectStore } from '../store/objectStore.js';

export const MANAGED_BY_AGENT = { 'tinylet.dev/managed-by': 'agent' };

const nthIP = (cidr: string, n: number) => ipToString(parseCidr(cidr).base + n);

/** The cluster DNS Service's address: the tenth of the range, as kubeadm gives kube-dns. */
export const kubeDnsIP = (config: Pick<AgentConfig, 'serviceCIDR'>) => nthIP(config.serviceCIDR, 10);

export interface BootstrapTargets {
  /** Where the API listens (TCP), when it does. */
  api?: { ip: string; port: number };
  /** The cluster DNS server's address on the pod bridge, when the pod network is on. */
  dnsIP?: string;
}

function meta(namespace: string, name: string, labels: Record<string, string>) {
  return { name, namespace, labels, uid: randomUUID(), creationTimestamp: rfc3339(new Date()) };
}

function kubernetesService(config: AgentConfig): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('default', 'kubernetes', { component: 'apiserver', provider: 'kubernetes' }),
    spec: {
      type: 'ClusterIP',
      clusterIP: nthIP(config.serviceCIDR, 1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.apiPort ?? 6443 }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

function kubeDnsService(config: AgentConfig): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' }),
    spec: {
      type: 'ClusterIP',
      clusterIP: kubeDnsIP(config),
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

function endpointsOf(svc: Service, ip: string | undefined, ports: { name: string; port: number; protocol: string }[]): Endpoints {
  const { namespace, name } = svc.metadata as { namespace: string; name: string };
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta(namespace, name, { ...(svc.metadata?.labels ?? {}), ...MANAGED_BY_AGENT }),
    subsets: ip ? [{ addresses: [{ ip }], ports }] : [],
  } as Endpoints;
}

export class BootstrapServices {
  private unsubscribe?: () => void;

  constructor(
    private readonly config: AgentConfig,
    private readonly store: ObjectStore,
    private readonly allocations: ServiceAllocations,
    private readonly targets: () => BootstrapTargets,
  ) {}

  start(): void {
    this.ensure();
    this.unsubscribe = this.store.onChange((c) => {
      const n = `${c.object.metadata?.namespace}/${c.object.metadata?.name}`;
      if (c.type === 'DELETED' && (c.resource === 'services' || c.resource === 'endpoints') && (n === 'default/kubernetes' || n === 'kube-system/kube-dns')) {
        setImmediate(() => this.ensure());
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Creates what is missing and brings the agent's Endpoints up to date; never throws. */
  ensure(): void {
    const t = this.targets();
    try {
      const api = this.service(kubernetesService(this.config));
      if (api) this.endpoints(endpointsOf(api, t.api?.ip, t.api ? [{ name: 'https', port: t.api.port, protocol: 'TCP' }] : []));
      const dns = this.service(kubeDnsService(this.config));
      if (dns) {
        this.endpoints(endpointsOf(dns, t.dnsIP, [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ]));
      }
    } catch (err) {
      console.error(`tinylet: could not create the built-in Services: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private service(svc: Service): Service | undefined {
    const { namespace, name } = svc.metadata as { namespace: string; name: string };
    const existing = this.store.get('services', namespace, name) as Service | undefined;
    if (existing) return existing;
    let allocated: Service;
    try {
      allocated = this.allocations.allocate(svc, undefined);
    } catch {
      console.error(`tinylet: the Service ${namespace}/${name} cannot have its address ${svc.spec?.clusterIP}: another Service holds it`);
      return undefined;
    }
    try {
      return this.store.put('services', allocated as ApiObject) as Service;
    } catch (err) {
      this.allocations.release(allocated, undefined);
      throw err;
    }
  }

  private endpoints(ep: Endpoints): void {
    const { namespace, name } = ep.metadata as { namespace: string; name: string };
    const old = this.store.get('endpoints', namespace, name) as Endpoints | undefined;
    if (old && JSON.stringify(old.subsets ?? []) === JSON.stringify(ep.subsets ?? [])) return;
    this.store.put('endpoints', (old ? { ...ep, metadata: { ...ep.metadata, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp } } : ep) as ApiObject);
  }
}

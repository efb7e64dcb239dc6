// Services as kube-proxy and the cluster DNS see them: each Service joined with its Endpoints
// (written by the endpoints controller for selector Services, by users or the agent otherwise).
// Ready addresses only: an unready or terminating pod (past the configured removal delay) is gone
// from both at the same moment it leaves the Endpoints.
import type { Endpoints, Pod, Service, ServicePort } from '../api/types.js';
import type { ClusterDnsView, DnsService } from '../dns/clusterZone.js';
import type { ProxyPort, ProxyService } from '../proxy/serviceModel.js';
import type { ObjectStore } from '../store/objectStore.js';

type Subset = NonNullable<Endpoints['subsets']>[number];

/** The subset ports that serve one Service port: by name, or the only port of an unnamed one. */
function subsetPort(subset: Subset, port: ServicePort): number | undefined {
  const ports = subset.ports ?? [];
  const protocol = port.protocol ?? 'TCP';
  const match = ports.find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol);
  return match?.port;
}

function endpointsOf(store: ObjectStore, svc: Service): Endpoints | undefined {
  return store.get('endpoints', svc.metadata?.namespace, svc.metadata!.name!) as Endpoints | undefined;
}

export function proxyServices(store: ObjectStore): ProxyService[] {
  const out: ProxyService[] = [];
  for (const o of store.list('services')) {
    const svc = o as Service;
    const spec = svc.spec ?? {};
    if (!spec.clusterIP || spec.clusterIP === 'None' || spec.type === 'ExternalName') continue;
    const ep = endpointsOf(store, svc);
    const ports: ProxyPort[] = [];
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      // SCTP is accepted by the API and not proxied here (nor by many clusters' kube-proxy setups).
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const endpoints = (ep?.subsets ?? []).flatMap((s) => {
        const target = subsetPort(s, port);
        return target === undefined ? [] : (s.addresses ?? []).map((a) => ({ ip: a.ip, port: target }));
      });
      const nodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? port.nodePort : undefined;
      ports.push({ name: port.name, protocol, port: port.port, ...(nodePort ? { nodePort } : {}), endpoints });
    }
    const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    out.push({ namespace: svc.metadata!.namespace!, name: svc.metadata!.name!, clusterIP: spec.clusterIP, ports, ...(affinity ? { affinityTimeoutSeconds: affinity } : {}) });
  }
  return out;
}

export function dnsServices(store: ObjectStore): DnsService[] {
  return store.list('services').flatMap((o): DnsService[] => {
    const svc = o as Service;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      // A CNAME to spec.externalName (a trailing dot, allowed by the API, is the same name).
      const target = (spec.externalName ?? '').replace(/\.$/, '');
      return target ? [{ namespace: svc.metadata!.namespace!, name: svc.metadata!.name!, ports: [], endpoints: [], externalName: target }] : [];
    }
    const headless = !spec.clusterIP || spec.clusterIP === 'None';
    const ep = endpointsOf(store, svc);
    const endpoints = (ep?.subsets ?? []).flatMap((s) => [
      ...(s.addresses ?? []).map((a) => ({ ip: a.ip, hostname: a.hostname, ready: true })),
      ...(s.notReadyAddresses ?? []).map((a) => ({ ip: a.ip, hostname: a.hostname, ready: false })),
    ]);
    // One endpoint may serve several ports (several subsets): one record per address.
    const seen = new Set<string>();
    const unique = endpoints.filter((e) => !seen.has(e.ip) && seen.add(e.ip));
    return [{
      namespace: svc.metadata!.namespace!,
      name: svc.metadata!.name!,
      clusterIP: headless ? undefined : spec.clusterIP,
      ports: (spec.ports ?? []).map((p) => ({ name: p.name, protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP', port: p.port })),
      endpoints: unique,
    }];
  });
}

export function clusterDnsView(domain: string, store: ObjectStore, pods: () => Pod[]): ClusterDnsView {
  return {
    domain,
    services: () => dnsServices(store),
    podIPs: () => pods().flatMap((p) => (p.status?.podIP && !p.spec?.hostNetwork ? [{ ip: p.status.podIP, namespace: p.metadata!.namespace! }] : [])),
  };
}

// The EndpointSlice mirroring controller: a Service without a selector has the Endpoints its user
// (or, for `kubernetes` and `kube-dns`, the agent) writes, and kube-controller-manager mirrors them
// into EndpointSlices, which is what kube-proxy and kubectl describe (1.21+) read.
import type { EndpointSlice, Endpoints, Service } from '../../api/types.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, sliceSuffix } from './endpointSliceFor.js';

export const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints carrying this label are not mirrored (the API server's own, in a cluster). */
const SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';

/** One slice per subset of the Endpoints, as the mirroring controller writes them. */
export function mirroredSlices(svc: Service, ep: Endpoints | undefined): EndpointSlice[] {
  if (!ep || ep.metadata?.labels?.[SKIP_MIRROR] === 'true') return [];
  const name = svc.metadata!.name!;
  const { [SKIP_MIRROR]: _s, ...labels } = ep.metadata?.labels ?? {};
  return (ep.subsets ?? []).map((subset, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-${sliceSuffix(`${svc.metadata?.uid ?? name}/mirror/${i}`)}`,
      namespace: svc.metadata!.namespace!,
      labels: { ...labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name, uid: ep.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: [
      ...(subset.addresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: true }, ...(a.hostname ? { hostname: a.hostname } : {}), ...(a.nodeName ? { nodeName: a.nodeName } : {}), ...(a.targetRef ? { targetRef: a.targetRef } : {}) })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: false }, ...(a.hostname ? { hostname: a.hostname } : {}), ...(a.targetRef ? { targetRef: a.targetRef } : {}) })),
    ],
    ports: (subset.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' })),
  }));
}

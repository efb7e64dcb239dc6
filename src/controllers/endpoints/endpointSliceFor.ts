// The discovery.k8s.io/v1 EndpointSlices the EndpointSlice controller (pkg/controller/endpointslice,
// staging/src/k8s.io/endpointslice) keeps for a Service: one slice per distinct port mapping
// (pods resolving a named targetPort differently land in different slices, and so do pods that
// resolve no port at all), at most 100 endpoints each, and an empty placeholder slice when no pod
// is selected. Unlike Endpoints, terminating pods stay, with conditions
// {ready: serving && !terminating (true with publishNotReadyAddresses), serving: pod Ready,
// terminating: deletionTimestamp set}.
//
// Slice names are `<service>-<5 characters>`: the controller's generateName, with a suffix derived
// from the Service's uid and the slice's port mapping instead of a random one, so the same input
// always gives the same names.
import { createHash } from 'node:crypto';
import type { EndpointSlice, Pod, Service } from '../../api/types.js';
import {
  type EndpointOptions, LAST_CHANGE_TRIGGER_TIME, byteOrder, earliest, endpointLabels, findPort, isPodReady, podIPv4s, podRef, podView,
  selectedPods, shouldBeInEndpoints, shouldSetHostname,
} from './podEndpoints.js';

type SliceEndpoint = EndpointSlice['endpoints'][number];
type SlicePort = NonNullable<EndpointSlice['ports']>[number];

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** The controller's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointSlicesResult {
  slices: EndpointSlice[];
  /** Epoch ms when a terminating pod kept by the removal delay must flip: sync again then. */
  nextChangeAt?: number;
}

// k8s.io/apimachinery's rand.String alphabet (no vowels), as generated names use.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A deterministic 5-character generateName suffix. */
export function sliceSuffix(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[h[i]! % ALPHABET.length];
  return s;
}

function slicePorts(svc: Service, pod: Pod): SlicePort[] {
  const spec = svc.spec ?? {};
  const out: SlicePort[] = [];
  if (!(spec.ports ?? []).length && spec.clusterIP === 'None') return out;
  for (const sp of spec.ports ?? []) {
    const num = findPort(pod, sp);
    if (num === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port: num };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

function endpointOf(pod: Pod, svc: Service, opts: EndpointOptions): { ep: SliceEndpoint; flipAt?: number } {
  const view = podView(pod, opts);
  const serving = view.lagging || isPodReady(pod);
  const terminating = view.terminating;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = { addresses: podIPv4s(pod), conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname!;
  ep.targetRef = podRef(pod);
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return view.flipAt === undefined ? { ep } : { ep, flipAt: view.flipAt };
}

/**
 * The EndpointSlices for `svc`, sorted by name, or undefined when the controller leaves the
 * Service alone (no selector, or ExternalName). Labels: the Service's (but the reserved ones),
 * `service.kubernetes.io/headless: ""` without a cluster IP, `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`; the Service is the
 * controlling owner.
 */
export function endpointSlicesFor(svc: Service, pods: readonly Pod[], opts: EndpointOptions): EndpointSlicesResult | undefined {
  const selected = selectedPods(svc, pods);
  if (!selected) return undefined;
  const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
  const flips: (number | undefined)[] = [];
  for (const pod of selected) {
    if (!shouldBeInEndpoints(pod, podView(pod, opts), true)) continue;
    const { ep, flipAt } = endpointOf(pod, svc, opts);
    if (ep.addresses.length === 0) continue;
    flips.push(flipAt);
    const ports = slicePorts(svc, pod);
    const k = JSON.stringify(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  if (groups.size === 0) groups.set('[]', { ports: [], endpoints: [] });
  const name = svc.metadata?.name ?? '';
  const uid = svc.metadata?.uid ?? `${svc.metadata?.namespace ?? 'default'}/${name}`;
  const labels = {
    ...endpointLabels(svc, [SERVICE_NAME_LABEL, MANAGED_BY_LABEL]),
    [SERVICE_NAME_LABEL]: name,
    [MANAGED_BY_LABEL]: CONTROLLER_NAME,
  };
  const slices: EndpointSlice[] = [];
  for (const [k, g] of groups) {
    g.endpoints.sort((a, b) => byteOrder(a.addresses[0]!, b.addresses[0]!) || byteOrder(a.targetRef?.name ?? '', b.targetRef?.name ?? ''));
    for (let i = 0; i === 0 || i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      const chunk = g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE);
      const seed = `${uid}\n${k}${i ? `\n${i / MAX_ENDPOINTS_PER_SLICE}` : ''}`;
      const metadata: EndpointSlice['metadata'] = {
        name: `${name}-${sliceSuffix(seed)}`,
        generateName: `${name}-`,
        namespace: svc.metadata?.namespace ?? 'default',
        labels: { ...labels },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      };
      if (opts.lastChangeTriggerTime) metadata.annotations = { [LAST_CHANGE_TRIGGER_TIME]: opts.lastChangeTriggerTime };
      slices.push({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata, addressType: 'IPv4', endpoints: chunk, ports: g.ports });
    }
  }
  slices.sort((a, b) => byteOrder(a.metadata!.name!, b.metadata!.name!));
  const nextChangeAt = earliest(flips);
  return nextChangeAt === undefined ? { slices } : { slices, nextChangeAt };
}

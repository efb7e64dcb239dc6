// What the endpoints and EndpointSlice controllers read from a Service and its pods
// (pkg/controller/endpoint, staging/src/k8s.io/endpointslice/utils.go): which pods a Service
// selects, whether a pod belongs in its endpoints, its address, its named ports, its readiness.
//
// tinylet adds one thing: a removal delay. A real cluster keeps routing to a pod for a moment after
// its deletion starts, because kube-proxy on every node learns of the change late. To show that on
// one node, a terminating pod can be presented as it was before the delete (ready, serving, not
// terminating) until `removalDelayMs` after the delete was requested.
import type { ObjectReference, Pod, Service, ServicePort } from '../../api/types.js';

export interface EndpointOptions {
  /** Epoch ms: the controller's clock. */
  now: number;
  /**
   * How long a terminating pod still shows as a ready endpoint, counted from the moment its
   * delete was requested (metadata.deletionTimestamp minus deletionGracePeriodSeconds); 0 for
   * the controllers' own behaviour.
   */
  removalDelayMs: number;
  /** Written as the `endpoints.kubernetes.io/last-change-trigger-time` annotation when given. */
  lastChangeTriggerTime?: string;
}

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/**
 * The pods a Service's controllers look at: those of its namespace matching spec.selector.
 * Undefined when the controllers leave the Service alone: no selector (its Endpoints are
 * user-managed) or type ExternalName. An empty selector ({}) selects every pod, as in Go.
 */
export function selectedPods(svc: Service, pods: readonly Pod[]): Pod[] | undefined {
  const selector = svc.spec?.selector;
  if (selector === undefined || selector === null || svc.spec?.type === 'ExternalName') return undefined;
  const ns = svc.metadata?.namespace ?? 'default';
  return pods.filter((p) => (p.metadata?.namespace ?? 'default') === ns && Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v));
}

/** IsServiceIPSet: neither headless nor without a cluster IP. */
export const isServiceIPSet = (svc: Service): boolean => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** The pod's Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The pod's IPv4 addresses, from status.podIPs (status.podIP when the list is missing). */
export function podIPv4s(pod: Pod): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip): ip is string => !!ip && !ip.includes(':'));
}

/** How a pod shows in endpoints now, given the removal delay. */
export interface PodView {
  /** metadata.deletionTimestamp is set and the delay (if any) has passed. */
  terminating: boolean;
  /** Shown as before its deletion: ready and serving whatever its conditions say now. */
  lagging: boolean;
  /** Epoch ms when a lagging pod stops lagging. */
  flipAt?: number;
}

export function podView(pod: Pod, opts: EndpointOptions): PodView {
  const ts = pod.metadata?.deletionTimestamp;
  if (!ts) return { terminating: false, lagging: false };
  const requested = Date.parse(ts) - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  const flipAt = requested + opts.removalDelayMs;
  if (opts.removalDelayMs > 0 && Number.isFinite(flipAt) && opts.now < flipAt) return { terminating: false, lagging: true, flipAt };
  return { terminating: true, lagging: false };
}

/**
 * ShouldPodBeInEndpoints: not terminal (Succeeded/Failed), has an IP, and not terminating unless
 * `includeTerminating`. A lagging pod is in, even if it already reached a terminal phase: the
 * stale routing it stands for does not know that yet.
 */
export function shouldBeInEndpoints(pod: Pod, view: PodView, includeTerminating: boolean): boolean {
  if (podIPv4s(pod).length === 0) return false;
  if (view.lagging) return true;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return includeTerminating || !view.terminating;
}

/**
 * FindPort: a numeric targetPort as is; a named one is the container port of that name and the
 * Service port's protocol, in the containers and then in sidecars (restartPolicy Always init
 * containers). Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  const protocol = sp.protocol ?? 'TCP';
  const match = (c: { ports?: { name?: string; protocol?: string; containerPort: number }[] }) =>
    c.ports?.find((p) => p.name === tp && (p.protocol ?? 'TCP') === protocol)?.containerPort;
  for (const c of pod.spec?.containers ?? []) {
    const n = match(c);
    if (n !== undefined) return n;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if ((c as { restartPolicy?: string }).restartPolicy !== 'Always') continue;
    const n = match(c);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** ShouldSetHostname: the pod asked for a hostname under this Service's subdomain. */
export const shouldSetHostname = (pod: Pod, svc: Service): boolean =>
  !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && (pod.metadata?.namespace ?? 'default') === (svc.metadata?.namespace ?? 'default');

/** The targetRef both controllers write: kind, namespace, name, uid (no resourceVersion). */
export function podRef(pod: Pod): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '' };
  if (pod.metadata?.uid) ref.uid = pod.metadata.uid;
  return ref;
}

/** The Service's labels plus (or minus) `service.kubernetes.io/headless: ""`. */
export function endpointLabels(svc: Service, reserved: readonly string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (k !== HEADLESS_LABEL && !reserved.includes(k)) labels[k] = v;
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

/** The earliest flip time among lagging pods. */
export const earliest = (times: readonly (number | undefined)[]): number | undefined =>
  times.reduce<number | undefined>((m, t) => (t === undefined ? m : m === undefined ? t : Math.min(m, t)), undefined);

/** Byte-wise string order, as Go's sort compares strings. */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

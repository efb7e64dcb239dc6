// The endpoints and EndpointSlice controllers of the agent: they watch pods and Services and keep
// each selector Service's Endpoints and EndpointSlice in the object store, as kube-controller-
// manager's do through the API server. A pod's readiness or deletion reaches the endpoints in the
// same tick (no batching period); the agent config's endpointRemovalDelaySeconds, or a Service's
// annotation, holds a terminating pod in them for that long to reproduce kube-proxy's lag.
import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../../api/time.js';
import type { EndpointSlice, Endpoints, Pod, Service } from '../../api/types.js';
import { MIRRORING_CONTROLLER, mirroredSlices } from './mirroredSlices.js';
import { keyOf, WorkQueue } from '../workQueue.js';
import type { AgentConfig } from '../../kubelet/config.js';
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import { endpointSlicesFor } from './endpointSliceFor.js';
import { endpointsFor } from './endpointsFor.js';

export const REMOVAL_DELAY_ANNOTATION = 'tinylet.dev/endpoint-removal-delay';

/** The same object apart from what the store changes on every write. */
function sameContent(a: ApiObject | undefined, b: ApiObject): boolean {
  if (!a) return false;
  const strip = (o: ApiObject) => {
    const { resourceVersion: _r, uid: _u, creationTimestamp: _c, managedFields: _m, annotations, ...meta } = o.metadata ?? {};
    const { 'endpoints.kubernetes.io/last-change-trigger-time': _t, ...rest } = annotations ?? {};
    return JSON.stringify({ ...o, kind: undefined, apiVersion: undefined, metadata: { ...meta, annotations: rest } });
  };
  return strip(a) === strip(b);
}

export interface PodSource {
  listPods(): Pod[];
  on(event: 'pod', listener: (type: string, pod: Pod) => void): unknown;
  off(event: 'pod', listener: (type: string, pod: Pod) => void): unknown;
}

export class EndpointsController {
  private readonly queue = new WorkQueue(
    (key) => {
      const [ns, name] = key.split('/') as [string, string];
      this.sync(ns, name);
    },
    (key) => `endpoints of service ${key}`,
  );
  private unsubscribe?: () => void;

  constructor(
    private readonly config: AgentConfig,
    private readonly store: ObjectStore,
    private readonly pods: PodSource,
  ) {}

  /**
   * Pods gone from the node while a Service's removal delay still holds them: kube-proxy's lag does
   * not end when the pod object does (an app that exits at once on SIGTERM is still routed to).
   */
  private readonly ghosts = new Map<string, { pod: Pod; until: number }>();

  /**
   * When each pod was first seen terminating, to the millisecond: the removal delay counts from
   * there (deletionTimestamp has whole seconds only, which would cut up to a second off the lag).
   */
  private readonly terminatingSince = new Map<string, number>();

  /** The pod with its deletion time as observed, for the endpoint functions' delay arithmetic. */
  private precise(pod: Pod): Pod {
    const uid = pod.metadata?.uid;
    const since = uid ? this.terminatingSince.get(uid) : undefined;
    if (since === undefined) return pod;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? 0;
    return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(since + grace * 1000).toISOString() } };
  }

  private readonly onPod = (type: string, pod: Pod) => {
    const uid = pod.metadata?.uid;
    if (uid && pod.metadata?.deletionTimestamp && !this.terminatingSince.has(uid)) this.terminatingSince.set(uid, Date.now());
    // Any Service of the pod's namespace may select it (before and after a label change).
    const ns = pod.metadata?.namespace;
    const services = this.store.list('services', ns);
    if (type === 'DELETED') {
      this.keepGhost(this.precise(pod), services as Service[]);
      if (uid) this.terminatingSince.delete(uid);
    }
    for (const s of services) this.queue.add(keyOf(s));
  };

  private keepGhost(pod: Pod, services: Service[]): void {
    const delay = Math.max(0, ...services.map((s) => this.removalDelayMs(s)));
    const ts = pod.metadata?.deletionTimestamp;
    if (delay === 0 || !ts) return;
    const requested = Date.parse(ts) - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
    const until = requested + delay;
    if (!(until > Date.now())) return;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.ghosts.set(key, { pod, until });
    const t = setTimeout(() => {
      if (this.ghosts.get(key)?.pod === pod) this.ghosts.delete(key);
      for (const s of this.store.list('services', pod.metadata?.namespace)) this.queue.add(keyOf(s));
    }, until - Date.now() + 1);
    t.unref();
  }

  private podsIn(ns: string): Pod[] {
    const live = this.pods.listPods().filter((p) => p.metadata?.namespace === ns).map((p) => this.precise(p));
    const names = new Set(live.map((p) => p.metadata?.name));
    const now = Date.now();
    const ghosts = [...this.ghosts.values()].filter((g) => g.until > now && g.pod.metadata?.namespace === ns && !names.has(g.pod.metadata?.name)).map((g) => g.pod);
    return [...live, ...ghosts];
  }

  start(): void {
    this.pods.on('pod', this.onPod);
    this.unsubscribe = this.store.onChange((c) => {
      if (c.resource === 'services') this.queue.add(keyOf(c.object));
      // The Endpoints of a Service without a selector are mirrored into slices.
      if (c.resource === 'endpoints') {
        const svc = this.store.get('services', c.object.metadata?.namespace, c.object.metadata?.name ?? '') as Service | undefined;
        if (svc && !svc.spec?.selector) this.queue.add(keyOf(c.object));
      }
    });
    for (const s of this.store.list('services')) this.queue.add(keyOf(s));
    // Endpoints left by Services deleted while the agent was down.
    for (const ep of this.store.list('endpoints')) this.queue.add(keyOf(ep));
  }

  stop(): void {
    this.pods.off('pod', this.onPod);
    this.unsubscribe?.();
    this.queue.stop();
    this.ghosts.clear();
    this.terminatingSince.clear();
  }

  /** Recomputes every marked Service now (tests and the proxy call it to not wait for the tick). */
  flush(): void {
    this.queue.flush();
  }

  private removalDelayMs(svc: Service): number {
    const a = svc.metadata?.annotations?.[REMOVAL_DELAY_ANNOTATION];
    const n = a !== undefined && /^\d{1,4}$/.test(a.trim()) ? Number(a) : this.config.endpointRemovalDelaySeconds;
    return n * 1000;
  }

  private sync(ns: string, name: string): void {
    const svc = this.store.get('services', ns, name) as Service | undefined;
    const sliceOf = (by: string) => this.store.list('endpointslices', ns).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name && s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === by);
    const ownedSlices = sliceOf('endpointslice-controller.k8s.io');
    const mirrored = sliceOf(MIRRORING_CONTROLLER);
    if (!svc || !svc.spec?.selector) {
      // A Service without a selector has the Endpoints its user writes, mirrored into slices; a deleted one has none.
      if (!svc) {
        const ep = this.store.get('endpoints', ns, name);
        if (ep && !ep.metadata?.labels?.['tinylet.dev/managed-by']) this.store.remove('endpoints', ns, name);
      }
      for (const s of ownedSlices) this.store.remove('endpointslices', ns, s.metadata!.name!);
      const want = svc && svc.spec?.type !== 'ExternalName' ? mirroredSlices(svc, this.store.get('endpoints', ns, name) as Endpoints | undefined) : [];
      this.replaceSlices(want, mirrored, ns);
      return;
    }
    for (const s of mirrored) this.store.remove('endpointslices', ns, s.metadata!.name!);
    const pods = this.podsIn(ns);
    const opts = { now: Date.now(), removalDelayMs: this.removalDelayMs(svc) };
    const ep = endpointsFor(svc, pods, opts);
    const slices = endpointSlicesFor(svc, pods, opts);
    const next = [ep?.nextChangeAt, slices?.nextChangeAt].filter((t): t is number => t !== undefined);
    if (next.length > 0) this.queue.addAfter(`${ns}/${name}`, Math.min(...next) - Date.now());
    if (ep?.endpoints) this.write('endpoints', ep.endpoints as unknown as ApiObject);
    this.replaceSlices(slices?.slices ?? [], ownedSlices, ns);
  }

  /** Writes the slices wanted and removes the ones of `current` that are not. */
  private replaceSlices(want: EndpointSlice[], current: ApiObject[], ns: string): void {
    const keep = new Set<string>();
    for (const slice of want) {
      keep.add(slice.metadata!.name!);
      this.write('endpointslices', slice as unknown as ApiObject);
    }
    for (const s of current) if (!keep.has(s.metadata!.name!)) this.store.remove('endpointslices', ns, s.metadata!.name!);
  }

  private write(resource: string, obj: ApiObject): void {
    const meta = obj.metadata!;
    const old = this.store.get(resource, meta.namespace, meta.name!);
    if (sameContent(old, obj)) return;
    this.store.put(resource, {
      ...obj,
      metadata: { ...meta, uid: old?.metadata?.uid ?? randomUUID(), creationTimestamp: old?.metadata?.creationTimestamp ?? rfc3339(new Date()) },
    });
  }
}


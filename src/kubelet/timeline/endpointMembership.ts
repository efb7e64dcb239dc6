// The pod's place in each Service's EndpointSlices, as written to the object store (what kube-proxy
// and DNS read): ready / serving / terminating, or removed. Read from the slices themselves rather
// than from the controller's arithmetic, so the removal delay and mirrored slices count as written.
import type { EndpointState } from '../../timeline/record.js';

interface SliceObject {
  metadata?: { namespace?: string; name?: string; labels?: Record<string, string> };
  endpoints?: { targetRef?: { kind?: string; uid?: string }; conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null } }[];
}

export interface SliceChangeSource {
  onChange(listener: (change: { resource: string; type: string; object: unknown }) => void): () => void;
}

export type MembershipListener = (podUid: string, service: string, state: EndpointState | null, at: number) => void;

/** nil conditions, per the EndpointSlice API: ready and serving unknown mean ready; terminating unknown means not. */
function stateOf(c: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null } | undefined): EndpointState {
  const ready = c?.ready !== false;
  return { ready, serving: c?.serving ?? ready, terminating: c?.terminating === true };
}

const same = (a: EndpointState | undefined, b: EndpointState | undefined) => a?.ready === b?.ready && a?.serving === b?.serving && a?.terminating === b?.terminating;

export class EndpointMembership {
  /** slice ns/name -> its Service (ns/name) and the pods' endpoint states in it. */
  private readonly slices = new Map<string, { service: string; pods: Map<string, EndpointState> }>();
  /** `${service ns/name}|${pod uid}` -> the state last reported. */
  private readonly reported = new Map<string, EndpointState>();

  constructor(private readonly listener: MembershipListener) {}

  /** Starts following the store's EndpointSlice writes; answers the unsubscribe. */
  watch(store: SliceChangeSource): () => void {
    return store.onChange((c) => {
      if (c.resource !== 'endpointslices') return;
      try {
        this.observe(c.type, c.object as SliceObject);
      } catch (err) {
        console.error('tinylet: timeline endpoint membership:', err);
      }
    });
  }

  observe(type: string, slice: SliceObject, at = Date.now()): void {
    const ns = slice.metadata?.namespace ?? '';
    const key = `${ns}/${slice.metadata?.name ?? ''}`;
    const serviceName = slice.metadata?.labels?.['kubernetes.io/service-name'];
    const before = this.slices.get(key);
    if (type === 'DELETED' || !serviceName) this.slices.delete(key);
    else {
      const pods = new Map<string, EndpointState>();
      for (const ep of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
        const uid = ep?.targetRef?.kind === 'Pod' ? ep.targetRef.uid : undefined;
        if (typeof uid === 'string' && !pods.has(uid)) pods.set(uid, stateOf(ep.conditions));
      }
      this.slices.set(key, { service: `${ns}/${serviceName}`, pods });
    }
    for (const service of new Set([before?.service, this.slices.get(key)?.service])) if (service) this.settle(service, at);
  }

  /** Compares the pods of all the Service's slices with what was reported, and reports the differences. */
  private settle(service: string, at: number): void {
    const now = new Map<string, EndpointState>();
    for (const s of this.slices.values()) if (s.service === service) for (const [uid, st] of s.pods) if (!now.has(uid)) now.set(uid, st);
    const name = service.slice(service.indexOf('/') + 1);
    for (const k of [...this.reported.keys()]) {
      const [svc, uid] = k.split('|') as [string, string];
      if (svc !== service || now.has(uid)) continue;
      this.reported.delete(k);
      this.listener(uid, name, null, at);
    }
    for (const [uid, st] of now) {
      const k = `${service}|${uid}`;
      if (same(this.reported.get(k), st)) continue;
      this.reported.set(k, st);
      this.listener(uid, name, st, at);
    }
  }

  /** Forgets a pod (its record is gone). */
  forget(uid: string): void {
    for (const k of this.reported.keys()) if (k.endsWith(`|${uid}`)) this.reported.delete(k);
  }
}

// The kubelet-side timeline of each pod (issue 15): every event occurrence the kubelet emits (the
// API keeps a repeated event once, with a count), plus what no event says: probe successes,
// hook start and end, the kill deadline, Ready transitions, and the pod's endpoint in each
// Service's EndpointSlices. One bounded ring per pod, dropped when the pod is removed.
import type { Event, Pod } from '../../api/types.js';
import type { EndpointState, TimelineRecord } from '../../timeline/record.js';
import { eventTime } from '../events.js';
import type { ProbeKind, ProbeResult } from '../prober/types.js';
import { EndpointMembership, type SliceChangeSource } from './endpointMembership.js';
import { PodTimeline, type StoredEntry } from './podTimeline.js';
import { ProbeRun } from './probeSampler.js';
import type { ContainerTimelineSink } from './sink.js';

/** Entries per pod: with probe ticks sampled, hours of a crash-looping pod fit. */
export const TIMELINE_CAPACITY = 4000;

const PROBE_NAMES: Record<string, ProbeKind> = { Liveness: 'liveness', Readiness: 'readiness', Startup: 'startup' };

interface KubeletLike {
  on(event: 'pod', listener: (type: string, pod: Pod) => void): unknown;
  on(event: 'podFinished', listener: (worker: { pod: Pod; deleting: boolean }) => void): unknown;
  getPod(namespace: string, name: string): Pod | undefined;
  events: { on(event: 'event', listener: (e: Event) => void): unknown };
}

const containerOf = (e: Event) => /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];
const specContainers = (pod: Pod) => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);

/** Runs a recording step; a record must never disturb the kubelet it watches. */
function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error(`tinylet: timeline ${what}:`, err);
  }
}

export class PodTimelines {
  private readonly byUid = new Map<string, PodTimeline>();
  /** ns/name -> uid of the latest pod of that name. */
  private readonly byName = new Map<string, string>();
  private readonly membership = new EndpointMembership((uid, service, state, at) => this.endpoint(uid, service, state, at));
  private kubelet?: KubeletLike;
  /**
   * Keep the records of removed pods (tinylet run and verify draw them once their pods are gone;
   * a run is bounded by the pods of its file). The agent drops them.
   */
  retainRemoved = false;

  constructor(readonly capacity = TIMELINE_CAPACITY) {}

  /** Follows the kubelet's pods and events. */
  attach(kubelet: KubeletLike): void {
    this.kubelet = kubelet;
    kubelet.on('pod', (type, pod) => guarded('pod', () => this.observePod(type, pod)));
    kubelet.on('podFinished', (w) => guarded('removal', () => this.finished(w.pod, w.deleting)));
    kubelet.events.on('event', (e) => guarded('event', () => this.observeEvent(e)));
  }

  /** Follows the EndpointSlices written to an object store; answers the unsubscribe. */
  watchEndpointSlices(store: SliceChangeSource): () => void {
    return this.membership.watch(store);
  }

  /** The record of the current pod of that name (or of the latest removed one, with retainRemoved). */
  record(namespace: string, name: string, now = Date.now()): TimelineRecord | undefined {
    const uid = this.byName.get(`${namespace}/${name}`);
    return uid ? this.byUid.get(uid)?.toRecord(now) : undefined;
  }

  recordOf(uid: string, now = Date.now()): TimelineRecord | undefined {
    return this.byUid.get(uid)?.toRecord(now);
  }

  /** The sink a container instance's probes, hooks and kill write to. */
  container(uid: string, name: string): ContainerTimelineSink {
    const append = (entry: Omit<StoredEntry, 'at' | 'container'>) => this.byUid.get(uid)?.append({ at: Date.now(), container: name, ...entry });
    return {
      probe: (kind, result, durationMs) => guarded('probe', () => this.probe(uid, name, kind, result, durationMs)),
      hook: (hook, phase, ok) =>
        guarded('hook', () =>
          append({
            type: ok === false ? 'Warning' : 'Normal',
            reason: phase === 'start' ? 'HookStarted' : 'HookFinished',
            message: `${hook} hook of container ${name} ${phase === 'start' ? 'started' : ok === false ? 'failed' : 'finished'}`,
            hook: { name: hook, phase, ...(phase === 'end' ? { ok: ok !== false } : {}) },
          }),
        ),
      deadline: (inSeconds, extended) =>
        guarded('deadline', () =>
          append({
            type: 'Normal',
            reason: 'KillDeadline',
            message: `SIGKILL of container ${name} due in ${inSeconds}s${extended ? ' (raised to the 2-second minimum)' : ''}`,
            deadline: { inSeconds, extended },
          }),
        ),
    };
  }

  private observePod(type: string, pod: Pod): void {
    const meta = pod.metadata;
    const uid = meta?.uid;
    if (!uid || !meta?.name) return;
    let tl = this.byUid.get(uid);
    if (!tl) {
      // A pod restored in a terminal phase never runs again: nothing to record.
      if (type !== 'ADDED' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      tl = new PodTimeline({ namespace: meta.namespace ?? 'default', name: meta.name, uid }, specContainers(pod), this.capacity);
      this.byUid.set(uid, tl);
      this.byName.set(`${tl.pod.namespace}/${tl.pod.name}`, uid);
    }
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const ready = s.ready === true;
      if ((tl.ready.get(s.name) ?? false) === ready) continue;
      tl.ready.set(s.name, ready);
      tl.append({ at: Date.now(), type: 'Normal', reason: ready ? 'Ready' : 'NotReady', container: s.name, message: `Container ${s.name} is ${ready ? 'ready' : 'not ready'}` });
    }
  }

  private finished(pod: Pod, deleting: boolean): void {
    const uid = pod.metadata?.uid;
    const tl = uid ? this.byUid.get(uid) : undefined;
    if (!uid || !tl || !deleting) return;
    tl.endedAt = Date.now();
    // A static pod force-deleted comes back under the same uid: its record goes on.
    if (this.retainRemoved || this.kubelet?.getPod(tl.pod.namespace, tl.pod.name)?.metadata?.uid === uid) return;
    this.byUid.delete(uid);
    if (this.byName.get(`${tl.pod.namespace}/${tl.pod.name}`) === uid) this.byName.delete(`${tl.pod.namespace}/${tl.pod.name}`);
    this.membership.forget(uid);
  }

  private observeEvent(e: Event): void {
    const uid = e.involvedObject?.uid;
    const tl = uid && e.involvedObject.kind === 'Pod' ? this.byUid.get(uid) : undefined;
    if (!tl) return;
    const container = containerOf(e);
    const message = e.message ?? '';
    // A probe failure's event: its tick carries it (the ticks are sampled; every failure's event would not be).
    const failed = e.reason === 'Unhealthy' ? /^(Liveness|Readiness|Startup) probe failed/.exec(message) : null;
    if (failed && container) {
      tl.probeMessages.set(`${container}/${PROBE_NAMES[failed[1]!]}`, message);
      return;
    }
    // A new instance: its probes start new runs, so its first ticks are kept.
    if (e.reason === 'Started' && container) for (const k of [...tl.probeRuns.keys()]) if (k.startsWith(`${container}/`)) tl.probeRuns.delete(k);
    const at = eventTime(e).getTime();
    tl.append({ at: Number.isFinite(at) ? at : Date.now(), type: e.type === 'Warning' ? 'Warning' : 'Normal', reason: e.reason ?? '', ...(container ? { container } : {}), message });
  }

  private probe(uid: string, container: string, kind: ProbeKind, result: ProbeResult, durationMs: number): void {
    const tl = this.byUid.get(uid);
    if (!tl || result === 'unknown') return;
    const key = `${container}/${kind}`;
    let runs = tl.probeRuns.get(key);
    if (!runs) tl.probeRuns.set(key, (runs = new ProbeRun()));
    const run = runs.tick(result);
    const message = tl.probeMessages.get(key);
    tl.probeMessages.delete(key);
    if (run === undefined) return;
    const ms = Math.round(durationMs);
    // The tick's place in its run says how many equal ones the sample skipped before it.
    const ofRun = run > 1 ? `, ${run} in a row` : '';
    tl.append({
      at: Date.now(),
      type: result === 'failure' ? 'Warning' : 'Normal',
      reason: 'ProbeResult',
      container,
      message: `${result === 'failure' ? (message ?? `${kind} probe failed`) : `${kind} probe succeeded`} (${ms} ms${ofRun})`,
      probe: { kind, result, durationMs: ms, run },
    });
  }

  private endpoint(uid: string, service: string, state: EndpointState | null, at: number): void {
    const tl = this.byUid.get(uid);
    if (!tl) return;
    if (!tl.services.includes(service)) tl.services.push(service);
    const what = state === null ? 'removed' : state.ready ? 'ready' : state.serving ? 'serving, not ready' : state.terminating ? 'terminating' : 'not ready';
    tl.append({
      at,
      type: 'Normal',
      reason: 'EndpointChanged',
      message: `Endpoint of the pod in service ${service}'s EndpointSlices: ${what}${state?.terminating && what !== 'terminating' ? ' (terminating)' : ''}`,
      endpoint: { service, state },
    });
  }
}

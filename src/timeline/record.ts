import type { Event, Pod } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';
import type { ReadyChange } from './readiness.js';

/** One occurrence on a pod's timeline: an event, at a millisecond offset from the record's origin. */
export interface TimelineEntry {
  /** Milliseconds since `origin`. */
  t: number;
  type: 'Normal' | 'Warning';
  reason: string;
  /** The container it concerns (from the event's fieldPath), absent for the pod itself. */
  container?: string;
  message: string;
  /** A probe attempt (kubelet-side record only): successes too, as a bounded sample of ticks. */
  probe?: ProbeTick;
  /** A postStart/preStop hook starting or ending (kubelet-side record only). */
  hook?: { name: 'postStart' | 'preStop'; phase: 'start' | 'end'; ok?: boolean };
  /** The pod's endpoint in a Service's EndpointSlices changed; `state` null: removed from them. */
  endpoint?: { service: string; state: EndpointState | null };
  /** At the stop signal: SIGKILL is due `inSeconds` later; `extended` when the 2-second minimum raised it. */
  deadline?: { inSeconds: number; extended: boolean };
}

export interface ProbeTick {
  kind: 'liveness' | 'readiness' | 'startup';
  result: 'success' | 'failure';
  /** How long the attempt took. */
  durationMs: number;
  /** The tick's number in the current run of equal results (1: a transition). Ticks in between are not kept. */
  run: number;
}

/** An EndpointSlice endpoint's conditions for the pod (discovery.k8s.io/v1 EndpointConditions). */
export interface EndpointState {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * What the renderer draws: a pod's events as occurrences in time order. Plain JSON, so the same
 * record can come from a `tinylet run` or (later) from an agent endpoint.
 */
export interface TimelineRecord {
  pod: { namespace: string; name: string; uid?: string };
  /** Epoch milliseconds of t = 0: the pod's first event (its creation, as far as the run saw it). */
  origin: number;
  /** Containers in spec order (init, then regular), so lanes keep the manifest's order. */
  containers: string[];
  entries: TimelineEntry[];
  /** Offset of the last thing seen (the pod gone, or the latest event): where the axis ends. */
  end: number;
  /**
   * kubelet: the agent's own record (every occurrence, probe ticks, hooks, endpoints);
   * events: rebuilt from API events (absent in records written before there was a choice).
   */
  source?: 'kubelet' | 'events';
  /** Services whose EndpointSlices held the pod, in the order first seen (one band each). */
  services?: string[];
  /** Entries the kubelet's bounded ring dropped (the oldest first). */
  dropped?: number;
}

/** At most this many entries per pod: a crash-looping pod must not grow a record without bound. */
export const MAX_ENTRIES = 5000;

function containerOf(e: Event): string | undefined {
  return /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];
}

function specContainers(pod: Pod): string[] {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
}

/** A Ready transition as an entry-shaped event, so it sorts and bounds with the rest. */
function readyEvent(c: ReadyChange): Event {
  return {
    metadata: {},
    involvedObject: { kind: 'Pod', fieldPath: `spec.containers{${c.container}}` },
    type: 'Normal',
    reason: c.ready ? 'Ready' : 'NotReady',
    message: `Container ${c.container} is ${c.ready ? 'ready' : 'not ready'}`,
  } as unknown as Event;
}

/**
 * A pod's record from the occurrences a run collected (each emitted event is one occurrence: a
 * repeat arrives again with its series time). Only events about this pod (by uid when it has one)
 * count; with more than MAX_ENTRIES the oldest are dropped, as the event ring does.
 */
export function recordFromEvents(pod: Pod, events: Event[], endedAt?: number, readiness: ReadyChange[] = []): TimelineRecord {
  const meta = pod.metadata ?? {};
  const mine = events
    .filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === meta.name && e.involvedObject.namespace === meta.namespace && (!meta.uid || !e.involvedObject.uid || e.involvedObject.uid === meta.uid))
    .map((e) => ({ e, at: eventTime(e).getTime() }))
    .concat(readiness.filter((c) => !meta.uid || c.uid === meta.uid).map((c) => ({ e: readyEvent(c), at: c.at })))
    .filter(({ at }) => Number.isFinite(at))
    .sort((a, b) => a.at - b.at)
    .slice(-MAX_ENTRIES);
  const origin = mine.length ? mine[0].at : (endedAt ?? 0);
  const entries: TimelineEntry[] = mine.map(({ e, at }) => ({
    t: at - origin,
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
    reason: e.reason ?? '',
    ...(containerOf(e) ? { container: containerOf(e) } : {}),
    message: e.message ?? '',
  }));
  const containers = specContainers(pod);
  for (const e of entries) if (e.container && !containers.includes(e.container)) containers.push(e.container);
  const last = entries.length ? entries[entries.length - 1].t : 0;
  return {
    pod: { namespace: meta.namespace ?? 'default', name: meta.name ?? '', ...(meta.uid ? { uid: meta.uid } : {}) },
    origin,
    containers,
    entries,
    end: Math.max(last, endedAt !== undefined ? endedAt - origin : last),
    source: 'events',
  };
}

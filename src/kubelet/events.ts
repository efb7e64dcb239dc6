import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Event, Pod } from '../api/types.js';
import { microTime, rfc3339 } from '../api/time.js';
import { aggregateKeyByReason, EventCorrelator } from './eventCorrelator.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Who reports an event, as `kubectl describe` shows it in "From": the scheduler for Scheduled, the
 * kubelet for its own reasons, and "tinylet" for the extra timeline steps (signals, exits, sandbox)
 * a kubelet does not report.
 */
export function reportingComponent(reason: string): string {
  const controlPlane = CONTROL_PLANE_REASONS[reason];
  if (controlPlane) return controlPlane;
  return TINYLET_REASONS.has(reason) ? 'tinylet' : 'kubelet';
}

/** Reasons the control plane reports (no host in their source): the scheduler's, the node lifecycle controller's. */
const CONTROL_PLANE_REASONS: Record<string, string> = {
  Scheduled: 'default-scheduler',
  FailedScheduling: 'default-scheduler',
  TaintManagerEviction: 'taint-eviction-controller',
  RegisteredNode: 'node-controller',
};

/** The object an event is about when it is not a pod (the Node: the kubelet names it by its name as uid). */
export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  name: string;
  uid: string;
  namespace?: string;
}

const CONTROL_PLANE = new Set(['default-scheduler', 'taint-eviction-controller', 'node-controller']);

const TINYLET_REASONS = new Set(['SandboxReady', 'SandboxRemoved', 'ProcessStarted', 'PreStopHook', 'Signal', 'Exited', 'DeleteRequested', 'LogWriteFailed']);


/**
 * tinylet's own timeline events are aggregated per container (client-go lets a recorder choose its
 * key function, CorrelatorOptions.KeyFunc): a combined "Exited" then always concerns one container,
 * and its fieldPath says which. The kubelet's events use client-go's default key, as the kubelet does.
 */
function aggregateKey(e: Event): string {
  const key = aggregateKeyByReason(e);
  return e.source?.component === 'tinylet' ? `${key}${e.involvedObject.fieldPath ?? ''}` : key;
}

export type EventChange = 'ADDED' | 'MODIFIED';

/**
 * kubelet-style Events, kept in a ring and aggregated as the kubelet's recorder does
 * (eventCorrelator.ts): a repeat updates the stored object (count, lastTimestamp, message, series)
 * under a new resourceVersion. Every occurrence is announced, 'event' (event, change): ADDED for a
 * new object, MODIFIED for a repeat, with the object as it now is.
 *
 * Each event carries a millisecond eventTime (its first occurrence) and, once repeated, the
 * events.k8s.io series {count, lastObservedTime} (its last one): together they form the pod's
 * timeline. The kubelet's own core/v1 events have neither; kubectl reads both the same way.
 */
export class EventRecorder extends EventEmitter {
  /** By namespace/name, in order of last write: the first entry is the one to drop when full. */
  private ring = new Map<string, Event>();
  private seq = 0;
  private readonly correlator = new EventCorrelator({ aggregateKey });

  constructor(
    private readonly nodeName: string,
    private readonly capacity = 5000,
    private readonly nextResourceVersion: () => string = () => String(++this.seq),
  ) {
    super();
  }

  record(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string, at = new Date()): Event {
    return this.recorded(this.makeEvent(pod, type, reason, message, fieldPath, at), at);
  }

  /** An event about another object than a pod (a Node), in `namespace` (the kubelet's node events go to default). */
  recordFor(object: InvolvedObject, namespace: string, type: EventType, reason: string, message: string, at = new Date()): Event {
    const e = this.makeEvent({ metadata: { name: object.name, namespace } } as Pod, type, reason, message, undefined, at);
    return this.recorded({ ...e, involvedObject: { kind: object.kind, apiVersion: object.apiVersion, name: object.name, uid: object.uid, ...(object.namespace ? { namespace: object.namespace } : {}) } }, at);
  }

  private recorded(made: Event, at: Date): Event {
    const { event: correlated, repeat } = this.correlator.correlate(made, at);
    const key = ringKey(correlated);
    const stored = repeat ? this.ring.get(key) : undefined;
    const event = stored ? this.repeatOf(stored, correlated, at) : this.created(correlated, at);
    this.ring.delete(key);
    this.ring.set(key, event);
    if (this.ring.size > this.capacity) this.ring.delete(this.ring.keys().next().value!);
    this.emit('event', event, (stored ? 'MODIFIED' : 'ADDED') satisfies EventChange);
    return event;
  }

  /** makeEvent: one occurrence, count 1, its own name. */
  private makeEvent(pod: Pod, type: EventType, reason: string, message: string, fieldPath: string | undefined, at: Date): Event {
    const meta = pod.metadata ?? {};
    const stamp = rfc3339(at);
    const component = reportingComponent(reason);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${meta.name}.${randomUUID().replace(/-/g, '').slice(0, 16)}`, namespace: meta.namespace },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: meta.namespace, name: meta.name, uid: meta.uid, fieldPath },
      type,
      reason,
      message,
      source: CONTROL_PLANE.has(component) ? { component } : { component, host: this.nodeName },
      reportingComponent: component,
      reportingInstance: CONTROL_PLANE.has(component) ? '' : this.nodeName,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      eventTime: microTime(at),
      count: 1,
    };
  }

  /**
   * A new object. It may already count several occurrences: client-go creates the event again,
   * name and count kept, when the one it would patch is gone (here: dropped from the ring).
   */
  private created(e: Event, at: Date): Event {
    const count = e.count ?? 1;
    return {
      ...e,
      metadata: { ...e.metadata, uid: randomUUID(), resourceVersion: this.nextResourceVersion(), creationTimestamp: rfc3339(at) },
      ...(count > 1 ? { series: { count, lastObservedTime: microTime(at) } } : {}),
    };
  }

  /** The kubelet's patch of a repeat: count, lastTimestamp and message; the rest stays as first written. */
  private repeatOf(stored: Event, e: Event, at: Date): Event {
    const count = e.count ?? 1;
    return {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: this.nextResourceVersion() },
      message: e.message,
      count,
      lastTimestamp: rfc3339(at),
      series: { count, lastObservedTime: microTime(at) },
    };
  }

  list(): Event[] {
    return [...this.ring.values()];
  }

  /**
   * A pod is gone for good (deleted, its worker done): its correlator entries can never match again
   * (eventCorrelator.ts, forget). Its events stay in the ring, as a cluster keeps a deleted pod's
   * events until their TTL.
   */
  forgetPod(uid: string | undefined): void {
    if (uid) this.correlator.forget(uid);
  }

  forPod(namespace: string, name: string, uid?: string): Event[] {
    return this.list().filter(
      (e) => e.involvedObject.namespace === namespace && e.involvedObject.name === name && (!uid || e.involvedObject.uid === uid),
    );
  }

  /** Restores a persisted ring (agent restart), counts included; counting starts afresh, as after a kubelet restart. */
  load(events: Event[]): void {
    this.ring = new Map(events.slice(-this.capacity).map((e) => [ringKey(e), e]));
  }
}

const ringKey = (e: Event): string => `${e.metadata.namespace ?? ''}/${e.metadata.name ?? ''}`;

/**
 * The millisecond time of an event's latest occurrence, for timelines: series.lastObservedTime once
 * it repeated, else its eventTime. (`kubectl events` sorts on the same: Series.LastObservedTime,
 * then LastTimestamp, then EventTime.)
 */
export function eventTime(e: Event): Date {
  return new Date(e.series?.lastObservedTime ?? e.eventTime ?? e.lastTimestamp ?? e.metadata.creationTimestamp ?? 0);
}

import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Event, Pod } from '../api/types.js';
import { microTime, rfc3339 } from '../api/time.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Who reports an event, as `kubectl describe` shows it in "From": the scheduler for Scheduled, the
 * kubelet for its own reasons, and "tinylet" for the extra timeline steps (signals, exits, sandbox)
 * a kubelet does not report.
 */
export function reportingComponent(reason: string): string {
  if (reason === 'Scheduled') return 'default-scheduler';
  return TINYLET_REASONS.has(reason) ? 'tinylet' : 'kubelet';
}

const TINYLET_REASONS = new Set(['SandboxReady', 'SandboxRemoved', 'ProcessStarted', 'PreStopHook', 'Signal', 'Exited', 'DeleteRequested', 'LogWriteFailed']);


/**
 * kubelet-style Events, kept in a ring. Each one carries a millisecond timestamp: together they form
 * the pod's timeline.
 */
export class EventRecorder extends EventEmitter {
  private ring: Event[] = [];
  private seq = 0;

  constructor(
    private readonly nodeName: string,
    private readonly capacity = 5000,
    private readonly nextResourceVersion: () => string = () => String(++this.seq),
  ) {
    super();
  }

  record(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string, at = new Date()): Event {
    const meta = pod.metadata ?? {};
    const stamp = rfc3339(at);
    const component = reportingComponent(reason);
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${meta.name}.${randomUUID().replace(/-/g, '').slice(0, 16)}`,
        namespace: meta.namespace,
        uid: randomUUID(),
        resourceVersion: this.nextResourceVersion(),
        creationTimestamp: stamp,
      },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: meta.namespace, name: meta.name, uid: meta.uid, fieldPath },
      type,
      reason,
      message,
      source: component === 'default-scheduler' ? { component } : { component, host: this.nodeName },
      reportingComponent: component,
      reportingInstance: component === 'default-scheduler' ? '' : this.nodeName,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      eventTime: microTime(at),
      count: 1,
    };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    this.emit('event', event);
    return event;
  }

  list(): Event[] {
    return [...this.ring];
  }

  forPod(namespace: string, name: string, uid?: string): Event[] {
    return this.ring.filter(
      (e) => e.involvedObject.namespace === namespace && e.involvedObject.name === name && (!uid || e.involvedObject.uid === uid),
    );
  }

  /** Restores a persisted ring (agent restart). */
  load(events: Event[]): void {
    this.ring = events.slice(-this.capacity);
  }
}

/** The millisecond time of an event, for timelines. */
export function eventTime(e: Event): Date {
  return new Date(e.eventTime ?? e.lastTimestamp ?? e.metadata.creationTimestamp ?? 0);
}

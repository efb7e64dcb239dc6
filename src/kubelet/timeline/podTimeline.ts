import type { EndpointState, TimelineEntry, TimelineRecord } from '../../timeline/record.js';
import { ProbeRun } from './probeSampler.js';
import { Ring } from './ring.js';

/** An entry as stored: the epoch millisecond it happened at instead of an offset. */
export type StoredEntry = Omit<TimelineEntry, 't'> & { at: number };

/** One pod's record on the kubelet: a ring of entries and what deciding the next entry needs. */
export class PodTimeline {
  readonly ring: Ring<StoredEntry>;
  /** `${container}/${probe kind}`: the run of equal results the sampler counts. */
  readonly probeRuns = new Map<string, ProbeRun>();
  /** `${container}/${probe kind}`: the latest Unhealthy message, for the failure tick that follows it. */
  readonly probeMessages = new Map<string, string>();
  readonly ready = new Map<string, boolean>();
  /** `${service}`: the pod's endpoint state there, as last recorded (absent: not in it). */
  readonly endpoints = new Map<string, EndpointState>();
  readonly services: string[] = [];
  /** Epoch ms the pod's worker finished (the record of a removed pod ends there). */
  endedAt?: number;

  constructor(
    readonly pod: { namespace: string; name: string; uid: string },
    readonly containers: string[],
    capacity: number,
  ) {
    this.ring = new Ring(capacity);
  }

  append(entry: StoredEntry): void {
    this.ring.push(entry);
  }

  /** The record the renderer and the API serve: offsets from the oldest entry kept. */
  toRecord(now = Date.now()): TimelineRecord {
    const stored = this.ring.toArray();
    const origin = stored.length ? stored[0]!.at : now;
    const entries: TimelineEntry[] = stored.map(({ at, ...rest }) => ({ t: at - origin, ...rest }));
    const containers = [...this.containers];
    for (const e of entries) if (e.container && !containers.includes(e.container)) containers.push(e.container);
    const last = entries.length ? entries[entries.length - 1]!.t : 0;
    return {
      pod: { ...this.pod },
      origin,
      containers,
      entries,
      end: Math.max(last, (this.endedAt ?? now) - origin),
      source: 'kubelet',
      services: [...this.services],
      dropped: this.ring.dropped,
    };
  }
}

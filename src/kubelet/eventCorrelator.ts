// The kubelet's event recorder does not write every event it is handed: client-go's EventCorrelator
// (k8s.io/client-go/tools/record/events_cache.go) first aggregates and counts them. Reproduced here
// with its defaults:
//  - EventAggregator: events of one source, object, type and reason that differ only by message are
//    "similar". Once 10 different messages were seen within 10 minutes (a rolling window, counted
//    from the last similar event), the next ones become one event whose message is
//    "(combined from similar events): <message>".
//  - eventLogger: an event identical to an earlier one (source, involved object with its fieldPath,
//    type, reason, message) is not created again: the earlier object is updated, count + 1, a new
//    lastTimestamp, its name and firstTimestamp kept.
// Both caches are LRUs of 4096 entries, in memory only: a restarted kubelet starts counting afresh.
//
// Not reproduced: the EventSourceObjectSpamFilter (25 events per object, then one per 5 minutes,
// the rest dropped). Dropping occurrences would cut tinylet's timeline, which is made of every one.
import type { Event } from '../api/types.js';
import { LruCache } from './lruCache.js';

const MAX_LRU_CACHE_ENTRIES = 4096;
const DEFAULT_AGGREGATE_MAX_EVENTS = 10;
const DEFAULT_AGGREGATE_INTERVAL_MS = 600 * 1000;

export const COMBINED_PREFIX = '(combined from similar events): ';

/** getEventKey: what makes two events the same event. */
export function eventKey(e: Event): string {
  const o = e.involvedObject ?? {};
  return [
    e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message,
  ].map((s) => s ?? '').join('');
}

/**
 * EventAggregatorByReasonFunc: the group of similar events. The fieldPath is not part of it, so a
 * pod's containers share one group per reason, as they do in the kubelet.
 */
export function aggregateKeyByReason(e: Event): string {
  const o = e.involvedObject ?? {};
  return [
    e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance,
  ].map((s) => s ?? '').join('');
}

export interface CorrelatorOptions {
  /** CorrelatorOptions.KeyFunc: the aggregation group of an event (aggregateKeyByReason by default). */
  aggregateKey?: (e: Event) => string;
  maxEvents?: number;
  maxIntervalMs?: number;
  cacheSize?: number;
}

export interface Correlated {
  /**
   * The event to write: the one given, or its combined form, with the name, firstTimestamp and
   * eventTime of its first occurrence and the count of all of them.
   */
  event: Event;
  /** An occurrence of an event already written under event.metadata.name (count > 1): an update. */
  repeat: boolean;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastMs: number;
  /** The involved object's uid: forget() drops the entries of an object that is gone. */
  uid?: string;
}

interface EventLog {
  uid?: string;
  count: number;
  name: string;
  firstTimestamp?: string;
  eventTime?: string;
}

export class EventCorrelator {
  private readonly aggregates: LruCache<AggregateRecord>;
  private readonly logs: LruCache<EventLog>;
  private readonly aggregateKey: (e: Event) => string;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;

  constructor(opts: CorrelatorOptions = {}) {
    const size = opts.cacheSize ?? MAX_LRU_CACHE_ENTRIES;
    this.aggregates = new LruCache(size);
    this.logs = new LruCache(size);
    this.aggregateKey = opts.aggregateKey ?? aggregateKeyByReason;
    this.maxEvents = opts.maxEvents ?? DEFAULT_AGGREGATE_MAX_EVENTS;
    this.maxIntervalMs = opts.maxIntervalMs ?? DEFAULT_AGGREGATE_INTERVAL_MS;
  }

  /** EventCorrelate: `fresh` is a new event (count 1, its own name, first = last = now). */
  correlate(fresh: Event, now: Date): Correlated {
    const { event, key } = this.aggregate(fresh, now.getTime());
    return this.observe(event, key);
  }

  /**
   * Drops the entries of an object that is gone for good (a deleted pod, by its uid). Every key
   * holds the uid, and a uid is never reused, so no later event could match them: dropping them
   * changes no event, only frees what would otherwise sit in the LRUs until 4096 newer entries
   * pushed it out (client-go keeps them, as its recorder never learns of deletions; tinylet's does).
   */
  forget(uid: string): void {
    this.aggregates.deleteWhere((r) => r.uid === uid);
    this.logs.deleteWhere((l) => l.uid === uid);
  }

  /** EventAggregate: the event itself and its full key, or the combined event and the group's key. */
  private aggregate(fresh: Event, nowMs: number): { event: Event; key: string } {
    const groupKey = this.aggregateKey(fresh);
    const seen = this.aggregates.get(groupKey);
    // A group not seen for longer than the interval starts over.
    const record: AggregateRecord = seen && nowMs - seen.lastMs <= this.maxIntervalMs ? seen : { localKeys: new Set(), lastMs: nowMs, uid: fresh.involvedObject?.uid };
    record.localKeys.add(fresh.message ?? '');
    record.lastMs = nowMs;
    this.aggregates.add(groupKey, record);
    if (record.localKeys.size < this.maxEvents) return { event: fresh, key: eventKey(fresh) };
    // The set never grows past max: client-go pops "any" member (Go map order); the oldest here.
    record.localKeys.delete(record.localKeys.values().next().value!);
    // A new event (new name, count 1, now), as client-go's eventCopy; under the group's key, so the
    // next similar events update it.
    return { event: { ...fresh, message: COMBINED_PREFIX + (fresh.message ?? '') }, key: groupKey };
  }

  /** eventObserve: a repeat takes the first occurrence's identity and counts one more. */
  private observe(event: Event, key: string): Correlated {
    const last = this.logs.get(key);
    let observed = event;
    if (last && last.count > 0) {
      observed = {
        ...event,
        metadata: { ...event.metadata, name: last.name },
        count: last.count + 1,
        firstTimestamp: last.firstTimestamp,
        eventTime: last.eventTime,
      };
    }
    this.logs.add(key, { uid: observed.involvedObject?.uid, count: observed.count ?? 1, name: observed.metadata.name!, firstTimestamp: observed.firstTimestamp, eventTime: observed.eventTime });
    return { event: observed, repeat: (observed.count ?? 1) > 1 };
  }
}

import type { Event } from '../../src/api/types.js';
import { eventTime } from '../../src/kubelet/events.js';
import type { Kubelet } from '../../src/kubelet/kubelet.js';

/**
 * Every occurrence of every event, as the recorder announces them. The recorder aggregates repeats
 * into one object (count, lastTimestamp), so its list no longer has one entry per occurrence;
 * timing tests (restart gaps, start order) read the occurrences instead.
 */
const seen = new WeakMap<Kubelet, Event[]>();

export function trackOccurrences(kubelet: Kubelet): void {
  const list: Event[] = [];
  seen.set(kubelet, list);
  kubelet.events.on('event', (e: Event) => list.push(e));
}

/** The occurrences of one pod's events, oldest first, each with the time it happened. */
export function occurrencesOf(kubelet: Kubelet, namespace: string, name: string, uid?: string): { event: Event; at: number }[] | undefined {
  const list = seen.get(kubelet);
  if (!list) return undefined;
  return list
    .filter((e) => e.involvedObject.namespace === namespace && e.involvedObject.name === name && (!uid || e.involvedObject.uid === uid))
    .map((event) => ({ event, at: eventTime(event).getTime() }));
}

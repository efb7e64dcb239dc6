import { readCriLog } from '../../src/runtime/logs/criReader.js';
import { containerLogPath } from '../../src/kubelet/podPaths.js';
import type { TestNode } from './testKubelet.js';
import type { PodWorker } from '../../src/kubelet/podWorker.js';
import { occurrencesOf } from './eventOccurrences.js';

/** The content lines of one container instance's CRI log (both streams unless one is named). */
export function logOf(node: TestNode, worker: PodWorker, container: string, instance = 0, stream?: 'stdout' | 'stderr'): string[] {
  return readCriLog(containerLogPath(node.config.stateDir, worker.pod, container, instance))
    .filter((l) => !stream || l.stream === stream)
    .map((l) => l.content);
}

/**
 * Events of a pod, oldest first, as [reason, message] plus their millisecond times: one entry per
 * occurrence (a repeated event is one object with a count in the recorder's list).
 */
export function eventsOf(node: TestNode, worker: PodWorker) {
  const m = worker.pod.metadata!;
  const seen = occurrencesOf(node.kubelet, m.namespace!, m.name!, m.uid) ?? node.kubelet.events.forPod(m.namespace!, m.name!, m.uid).map((event) => ({ event, at: new Date(event.eventTime!).getTime() }));
  return seen.map(({ event: e, at }) => ({
    reason: e.reason!,
    message: e.message!,
    fieldPath: e.involvedObject.fieldPath,
    at,
  }));
}

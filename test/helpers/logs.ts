import { readCriLog } from '../../src/runtime/logs/criReader.js';
import { containerLogPath } from '../../src/kubelet/podPaths.js';
import type { TestNode } from './testKubelet.js';
import type { PodWorker } from '../../src/kubelet/podWorker.js';

/** The content lines of one container instance's CRI log (both streams unless one is named). */
export function logOf(node: TestNode, worker: PodWorker, container: string, instance = 0, stream?: 'stdout' | 'stderr'): string[] {
  return readCriLog(containerLogPath(node.config.stateDir, worker.pod, container, instance))
    .filter((l) => !stream || l.stream === stream)
    .map((l) => l.content);
}

/** Events of a pod, oldest first, as [reason, message] plus their millisecond times. */
export function eventsOf(node: TestNode, worker: PodWorker) {
  const m = worker.pod.metadata!;
  return node.kubelet.events.forPod(m.namespace!, m.name!, m.uid).map((e) => ({
    reason: e.reason!,
    message: e.message!,
    fieldPath: e.involvedObject.fieldPath,
    at: new Date(e.eventTime!).getTime(),
  }));
}

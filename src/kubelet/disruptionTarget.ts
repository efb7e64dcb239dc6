// The DisruptionTarget condition (GA in 1.31, on since 1.26): whoever is about to delete a pod for a
// disruption says so in its status first, so the pod's controllers and Job pod failure policies can
// tell a disruption from a failure. The API server's eviction (reason EvictionByEvictionAPI) and the
// taint eviction controller (DeletionByTaintManager) set it right before their graceful delete.
// Outside writers may set only this condition and the readiness gates' (podWorker.ts keeps both).
import { rfc3339 } from '../api/time.js';
import type { Pod } from '../api/types.js';
import type { PodWorker } from './podWorker.js';

export const DISRUPTION_TARGET = 'DisruptionTarget';

type Condition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];

/** The causes Kubernetes writes, with their messages (eviction.go, taint_eviction.go). */
export const DISRUPTIONS = {
  eviction: { reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' },
  taint: { reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
} as const;

/**
 * podutil.UpdatePodCondition with DisruptionTarget True: replaces the condition (keeping its
 * lastTransitionTime when its status does not change), or appends it.
 */
export function markDisruptionTarget(worker: PodWorker, cause: keyof typeof DISRUPTIONS, now = new Date()): void {
  const conditions = worker.pod.status?.conditions ?? [];
  const old = conditions.find((c) => c.type === DISRUPTION_TARGET);
  const next: Condition = {
    type: DISRUPTION_TARGET,
    status: 'True',
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
    ...DISRUPTIONS[cause],
  };
  const list = old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
  worker.pod = { ...worker.pod, status: { ...worker.pod.status, conditions: list } };
  worker.refreshStatus();
}

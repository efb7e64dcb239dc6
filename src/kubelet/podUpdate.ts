import type { Container, Pod } from '../api/types.js';
import type { PodWorker } from './podWorker.js';
import { rfc3339 } from '../api/time.js';

/**
 * Applies a validated update to a running pod. Metadata and activeDeadlineSeconds are taken as they
 * are; a container whose image changed is killed ("definition changed") and started again with the
 * new image whatever the restart policy, as the kubelet does when a container's hash changes.
 */
export function applyPodUpdate(worker: PodWorker, next: Pod): void {
  const old = worker.pod;
  const spec = old.spec!;
  const images = new Map<string, string | undefined>();
  for (const c of [...(next.spec?.initContainers ?? []), ...(next.spec?.containers ?? [])]) images.set(c.name, c.image);
  const withImage = (c: Container): Container => ({ ...c, image: images.get(c.name) ?? c.image });
  worker.pod = {
    ...old,
    metadata: { ...old.metadata, labels: next.metadata?.labels, annotations: next.metadata?.annotations, managedFields: next.metadata?.managedFields },
    spec: {
      ...spec,
      containers: spec.containers.map(withImage),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withImage) } : {}),
      activeDeadlineSeconds: next.spec?.activeDeadlineSeconds,
      tolerations: next.spec?.tolerations,
    },
  };
  for (const r of worker.records) {
    const image = images.get(r.name);
    if (image === undefined || image === r.spec.image) continue;
    r.spec = { ...r.spec, image };
    if (r.process && !worker.deleting) {
      r.restartForSpecChange = true;
      void worker.kill(r, spec.terminationGracePeriodSeconds ?? 30, `Container ${r.name} definition changed, will be restarted`);
    }
  }
  worker.metadataChanged();
  if (next.spec?.activeDeadlineSeconds !== spec.activeDeadlineSeconds) worker.scheduleDeadline();
  worker.refreshStatus();
}

/**
 * The status subresource: only conditions named by the pod's readinessGates may be set from outside
 * (as a controller does); everything else in the status is the pod worker's.
 */
export function setGateConditions(worker: PodWorker, conditions: NonNullable<Pod['status']>['conditions']): void {
  const gates = new Set((worker.pod.spec?.readinessGates ?? []).map((g) => g.conditionType));
  const incoming = (conditions ?? []).filter((c) => gates.has(c.type));
  if (incoming.length === 0) return;
  const kept = (worker.pod.status?.conditions ?? []).filter((c) => !incoming.some((i) => i.type === c.type));
  const stamp = rfc3339(new Date());
  worker.pod = { ...worker.pod, status: { ...worker.pod.status, conditions: [...kept, ...incoming.map((c) => ({ lastTransitionTime: stamp, ...c }))] } };
  worker.refreshStatus();
}

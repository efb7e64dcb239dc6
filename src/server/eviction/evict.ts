// The eviction subresource's rules (pkg/registry/core/pod/storage/eviction.go, EvictionREST.Create):
// a pod that has finished, is Pending or is already terminating is deleted without a look at its
// budgets; one covered by more than one PodDisruptionBudget is refused (500); otherwise its
// budget must allow a disruption, which the eviction spends (disruptionsAllowed less one, the pod
// recorded in status.disruptedPods for the disruption controller) before the pod is deleted
// gracefully with the eviction's DeleteOptions, its DisruptionTarget condition set first. A pod that is not Ready spends nothing when its
// budget's unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget, the default) when the
// budget has its desired healthy pods.
import { rfc3339 } from '../../api/time.js';
import type { Pod, PodDisruptionBudget } from '../../api/types.js';
import { PDB_RESOURCE } from '../../controllers/disruption/disruptionController.js';
import { isPodReady, pdbsForPod } from '../../controllers/disruption/pdbPods.js';
import { withDisruptionAllowedCondition } from '../../controllers/disruption/pdbStatus.js';
import { markDisruptionTarget } from '../../kubelet/disruptionTarget.js';
import type { ApiObject } from '../../store/objectStore.js';
import type { ApiServices } from '../context.js';
import { ApiError, conflict, forbiddenResource, notFound } from '../status.js';

/** MaxDisruptedPodSize: evictions the controller has not confirmed yet, per budget. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MORE_THAN_ONE_PDB = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

/** A Status with neither reason nor details, as a plain metav1.Status error is (the 500 for several budgets). */
export class BareStatusError extends ApiError {
  override toStatus() {
    const { reason: _r, ...status } = super.toStatus();
    return status as ReturnType<ApiError['toStatus']>;
  }
}

/** errors.NewTooManyRequests with the DisruptionBudget cause (and a Retry-After when the budget is not computed yet). */
export class EvictionRefused extends ApiError {
  constructor(
    cause: string,
    readonly retryAfterSeconds = 0,
  ) {
    const details = { causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) };
    super(429, 'TooManyRequests', VIOLATES_BUDGET, details);
  }
}

export interface EvictionOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

/** canIgnorePDB: the pod's disruption has happened already (or it never ran). */
const canIgnorePdb = (pod: Pod) => ['Succeeded', 'Failed', 'Pending'].includes(pod.status?.phase ?? '') || !!pod.metadata?.deletionTimestamp;

/** checkAndDecrement: spends one disruption of `pdb` on `podName`, or throws the refusal. */
function checkAndDecrement(services: ApiServices, pdb: PodDisruptionBudget, podName: string, dryRun: boolean, now: number): void {
  const name = pdb.metadata?.name ?? '';
  const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw new EvictionRefused(`The disruption budget ${name} is still being processed by the server.`, 10);
  if (status.disruptionsAllowed < 0) throw forbiddenResource('poddisruptionbudget.policy', name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw forbiddenResource('poddisruptionbudget.policy', name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (status.disruptionsAllowed === 0) {
    throw new EvictionRefused(`The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`);
  }
  let next = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 };
  if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next, now);
  if (dryRun) return;
  next.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(new Date(now)) };
  // Key order of a PodDisruptionBudgetStatus: observedGeneration, disruptedPods, then the counters.
  const { observedGeneration, disruptedPods, ...counters } = next;
  const ordered = { ...(observedGeneration !== undefined ? { observedGeneration } : {}), disruptedPods, ...counters };
  services.objects.put(PDB_RESOURCE, { ...(pdb as unknown as ApiObject), status: ordered });
}

function checkPreconditions(pod: Pod, pre: EvictionOptions['preconditions']): void {
  const meta = pod.metadata!;
  if (pre?.uid && pre.uid !== meta.uid) throw conflict('pods', meta.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
  if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
    throw conflict('pods', meta.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
  }
}

/** Evicts pod `namespace/name`; returns once the graceful delete is recorded, or throws the API error. */
export function evictPod(services: ApiServices, namespace: string, name: string, opts: EvictionOptions, now = Date.now()): void {
  const pod = services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  checkPreconditions(pod, opts.preconditions);
  if (!canIgnorePdb(pod)) {
    const pdbs = pdbsForPod(pod, services.objects.list(PDB_RESOURCE, namespace) as unknown as PodDisruptionBudget[]);
    if (pdbs.length > 1) throw new BareStatusError(500, '', MORE_THAN_ONE_PDB);
    const pdb = pdbs[0];
    if (pdb && !unhealthyMayGo(pod, pdb)) checkAndDecrement(services, pdb, name, opts.dryRun, now);
  }
  if (opts.dryRun) return;
  // addConditionAndDeletePod: the pod says why it goes (DisruptionTarget) before its graceful delete.
  const worker = services.kubelet.getWorker(namespace, name);
  if (worker) markDisruptionTarget(worker, 'eviction');
  const pods = services.registry.lookup('', 'v1', 'pods')!.storage({ config: services.config, store: services.objects, services });
  pods.delete(pod as unknown as ApiObject, { dryRun: false, ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}) });
}

/** A pod that is not Ready and may go without spending the budget (unhealthyPodEvictionPolicy). */
function unhealthyMayGo(pod: Pod, pdb: PodDisruptionBudget): boolean {
  if (isPodReady(pod)) return false;
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const s = pdb.status;
  return !!s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0;
}

// The status the disruption controller computes for a PodDisruptionBudget (pkg/controller/
// disruption: trySync, getExpectedPodCount, buildDisruptedPodMap, countHealthyPods,
// updatePdbStatus, and pdb helper UpdateDisruptionAllowedCondition):
//   expectedPods       the pods the selector matches
//   desiredHealthy     minAvailable (a percentage of expectedPods rounded up), or expectedPods
//                      less maxUnavailable (a percentage rounded up), at least 0
//   currentHealthy     matched pods that are Ready, not terminating, and not in disruptedPods
//   disruptionsAllowed currentHealthy - desiredHealthy, at least 0, and 0 without expected pods
// A pod the eviction subresource recorded in disruptedPods counts as gone for two minutes
// (DeletionTimeout) unless it is terminating by then; after that it counts again.
//
// One difference from a cluster: with no workload controllers (ReplicaSets, StatefulSets) on this
// node, expectedPods is always the number of matched pods, where the controller would use the
// controllers' scale for a percentage or maxUnavailable (and count bare pods as zero).
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { rfc3339 } from '../../api/time.js';
import type { Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../api/types.js';
import { scaledValue, type IntOrPercent } from '../../api/policy/intOrPercent.js';
import { isPodReady } from './pdbPods.js';

/** DeletionTimeout: how long an evicted pod may take to show its deletion before it counts again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';

const set = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** getExpectedPodCount: [expectedPods, desiredHealthy]. */
export function expectedAndDesired(pdb: PodDisruptionBudget, matched: number): [number, number] {
  const spec = pdb.spec ?? {};
  if (set(spec.maxUnavailable)) {
    const maxUnavailable = scaledValue(spec.maxUnavailable as IntOrPercent, matched, true);
    return [matched, Math.max(0, matched - maxUnavailable)];
  }
  if (set(spec.minAvailable)) return [matched, scaledValue(spec.minAvailable as IntOrPercent, matched, true)];
  return [matched, 0];
}

/** buildDisruptedPodMap: the entries still waiting for their pod's deletion, and when the first one expires. */
export function disruptedPodMap(pdb: PodDisruptionBudget, pods: readonly Pod[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = recorded[pod.metadata?.name ?? ''];
    if (at === undefined) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires < now) continue;
    if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
    disrupted[pod.metadata!.name!] = at;
  }
  return recheckAt === undefined ? { disrupted } : { disrupted, recheckAt };
}

/** countHealthyPods. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/** apimeta.SetStatusCondition for the DisruptionAllowed condition (UpdateDisruptionAllowedCondition). */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: number): PodDisruptionBudgetStatus {
  const allowed = status.disruptionsAllowed > 0;
  const want = { type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS, message: '' };
  const conditions: Condition[] = (status.conditions ?? []).map((c) => ({ ...c }));
  const i = conditions.findIndex((c) => c.type === DISRUPTION_ALLOWED);
  const observedGeneration = status.observedGeneration;
  const gen = observedGeneration ? { observedGeneration } : {};
  if (i < 0) {
    conditions.push({ type: want.type, status: want.status, ...gen, lastTransitionTime: rfc3339(new Date(now)), reason: want.reason, message: want.message });
  } else {
    const old = conditions[i]!;
    const lastTransitionTime = old.status === want.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(new Date(now));
    conditions[i] = { type: want.type, status: want.status, ...gen, lastTransitionTime, reason: want.reason, message: want.message };
  }
  return { ...status, conditions };
}

/** ConditionsAreUpToDate. */
export function conditionsUpToDate(pdb: PodDisruptionBudget): boolean {
  const s = pdb.status;
  const cond = s?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond || (s?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  return (s?.disruptionsAllowed ?? 0) > 0 ? cond.status === 'True' && cond.reason === SUFFICIENT_PODS : cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string>) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

export interface PdbSync {
  /** The status to write, or undefined when the stored one is already right. */
  status?: PodDisruptionBudgetStatus;
  /** When a disruptedPods entry expires and the budget must be computed again (epoch ms). */
  recheckAt?: number;
}

/** trySync and updatePdbStatus for one PDB over the pods it matches. */
export function syncPdbStatus(pdb: PodDisruptionBudget, matched: readonly Pod[], now: number): PdbSync {
  const [expectedPods, desiredHealthy] = expectedAndDesired(pdb, matched.length);
  const { disrupted, recheckAt } = disruptedPodMap(pdb, matched, now);
  const currentHealthy = countHealthy(matched, disrupted, now);
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const old = pdb.status;
  const generation = pdb.metadata?.generation ?? 0;
  const recheck = recheckAt === undefined ? {} : { recheckAt };
  if (
    old &&
    old.currentHealthy === currentHealthy &&
    old.desiredHealthy === desiredHealthy &&
    old.expectedPods === expectedPods &&
    old.disruptionsAllowed === disruptionsAllowed &&
    sameMap(old.disruptedPods, disrupted) &&
    (old.observedGeneration ?? 0) === generation &&
    conditionsUpToDate(pdb)
  ) {
    return recheck;
  }
  // Go's struct order, as the API server serialises a PodDisruptionBudgetStatus.
  const next: PodDisruptionBudgetStatus = {
    ...(generation ? { observedGeneration: generation } : {}),
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    ...(old?.conditions ? { conditions: old.conditions } : {}),
  };
  return { status: withDisruptionAllowedCondition(next, now), ...recheck };
}

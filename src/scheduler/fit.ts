// The scheduler's filters that matter on a one-node cluster, as pure functions, in the default
// profile's order, the first failing one deciding (framework.RunFilterPlugins): NodeUnschedulable
// (spec.unschedulable, unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule),
// TaintToleration (the node's NoSchedule and NoExecute taints; matching is
// v1.Toleration.ToleratesTaint), NodeAffinity (nodeSelector, required node affinity) and
// NodeResourcesFit (requests against allocatable). The first three fail as
// UnschedulableAndUnresolvable, so preemption is not helpful; NodeResourcesFit is Unschedulable and
// preemption then looks for victims: with every pod at the default priority 0 it finds none, and
// the FailedScheduling message says which.
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../api/types.js';
import { matchesNodeAffinity, NODE_AFFINITY_REASON } from './nodeAffinity.js';
import { insufficientResources } from './resourcesFit.js';

export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** ToleratesTaint: effect (empty matches all), key (empty with Exists matches all), then the operator. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** FindMatchingUntoleratedTaint: the first taint of `effects` no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !tolerationsTolerateTaint(tolerations, taint));
}

/** Why a node does not fit a pod: the filter's reasons, as they appear in the message. */
export type FitFailure = { plugin: 'NodeUnschedulable' | 'TaintToleration' | 'NodeAffinity' | 'NodeResourcesFit'; reasons: string[] };

/** The pod fits the node (undefined) or the first filter that refuses it; `podsOnNode`: the pods bound there, not terminated. */
export function nodeFit(pod: Pod, node: Node, podsOnNode: readonly Pod[] = []): FitFailure | undefined {
  const tolerations = pod.spec?.tolerations;
  if (node.spec?.unschedulable && !tolerationsTolerateTaint(tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' })) {
    return { plugin: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] };
  }
  const taint = findUntoleratedTaint(node.spec?.taints, tolerations, ['NoSchedule', 'NoExecute']);
  if (taint) return { plugin: 'TaintToleration', reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`] };
  if (!matchesNodeAffinity(pod, node)) return { plugin: 'NodeAffinity', reasons: [NODE_AFFINITY_REASON] };
  const insufficient = insufficientResources(pod, node, podsOnNode);
  if (insufficient.length) return { plugin: 'NodeResourcesFit', reasons: insufficient };
  return undefined;
}

/** Reasons counted over the nodes and sorted, as FitError and the preemption diagnosis print them. */
function countedReasons(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

/**
 * FitError.Error() with the preemption post-filter's message, e.g. `0/1 nodes are available: 1
 * node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for
 * scheduling.`; a node short of resources is one where preemption found no victims.
 */
export function failedSchedulingMessage(failures: readonly FitFailure[], nodeCount: number): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const fit = `0/${nodeCount} nodes are available: ${countedReasons(failures.flatMap((f) => f.reasons))}.`;
  const preemption = countedReasons(failures.map((f) => (f.plugin === 'NodeResourcesFit' ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling')));
  return `${fit} preemption: 0/${nodeCount} nodes are available: ${preemption}.`;
}

/** Pods that hold a node's resources: bound to it and not finished. */
export function podsBoundTo(node: string, pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.spec?.nodeName === node && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** The scheduler's verdict for one pod on the cluster's nodes: the node to bind to, or the message. */
export function schedule(pod: Pod, nodes: readonly Node[], pods: readonly Pod[] = []): { node: string } | { message: string } {
  const failures: FitFailure[] = [];
  for (const n of nodes) {
    const f = nodeFit(pod, n, podsBoundTo(n.metadata!.name!, pods));
    if (!f) return { node: n.metadata!.name! };
    failures.push(f);
  }
  return { message: failedSchedulingMessage(failures, nodes.length) };
}

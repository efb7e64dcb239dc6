// The scheduler's filters that matter on a one-node cluster, as pure functions: NodeUnschedulable
// (spec.unschedulable, unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule) and
// TaintToleration (the node's NoSchedule and NoExecute taints), in the default profile's order, the
// first failing one deciding (framework.RunFilterPlugins). Toleration matching is
// v1.Toleration.ToleratesTaint. Both filters fail as UnschedulableAndUnresolvable, so preemption
// is never helpful, and the FailedScheduling message says so.
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../api/types.js';

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

/** Why a node does not fit a pod: the filter's reason, as it appears in the message. */
export type FitFailure = { plugin: 'NodeUnschedulable' | 'TaintToleration'; reason: string };

/** The pod fits the node (undefined) or the first filter that refuses it. */
export function nodeFit(pod: Pod, node: Node): FitFailure | undefined {
  const tolerations = pod.spec?.tolerations;
  if (node.spec?.unschedulable && !tolerationsTolerateTaint(tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' })) {
    return { plugin: 'NodeUnschedulable', reason: 'node(s) were unschedulable' };
  }
  const taint = findUntoleratedTaint(node.spec?.taints, tolerations, ['NoSchedule', 'NoExecute']);
  if (taint) return { plugin: 'TaintToleration', reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` };
  return undefined;
}

/**
 * FitError.Error() with the preemption post-filter's message: reasons counted over the nodes,
 * sorted, e.g. `0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are
 * available: 1 Preemption is not helpful for scheduling.`
 */
export function failedSchedulingMessage(failures: readonly FitFailure[], nodeCount: number): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const reasons = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  const fit = `0/${nodeCount} nodes are available: ${reasons.join(', ')}.`;
  return `${fit} preemption: 0/${nodeCount} nodes are available: ${failures.length} Preemption is not helpful for scheduling.`;
}

/** The scheduler's verdict for one pod on the cluster's nodes: the node to bind to, or the message. */
export function schedule(pod: Pod, nodes: readonly Node[]): { node: string } | { message: string } {
  const failures: FitFailure[] = [];
  for (const n of nodes) {
    const f = nodeFit(pod, n);
    if (!f) return { node: n.metadata!.name! };
    failures.push(f);
  }
  return { message: failedSchedulingMessage(failures, nodes.length) };
}

// The NodeAffinity filter: spec.nodeSelector (every label must match) and
// affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution (its nodeSelectorTerms are
// ORed; in a term, matchExpressions on labels and matchFields on metadata.name are ANDed; a term
// with neither matches nothing), as component-helpers' nodeaffinity.GetRequiredNodeAffinity does.
// Preferred terms only score, which decides nothing on one node.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../api/types.js';

export const NODE_AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

/** An integer as Gt/Lt read it (strconv.ParseInt); NaN for anything else, which never matches. */
const integer = (s: string | undefined) => (s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : NaN);

/** NodeSelectorRequirement against one value source (a label map, or the node's fields). */
function requirementMatches(r: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = has ? values[r.key] : undefined;
  const list = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && list.includes(v!);
    case 'NotIn':
      return !has || !list.includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || list.length !== 1) return false;
      const [a, b] = [integer(v), integer(list[0])];
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  // Only metadata.name is a node field a selector may name (validation refuses the rest).
  const nodeFields = { 'metadata.name': node.metadata?.name ?? '' };
  return exprs.every((r) => requirementMatches(r, labels)) && fields.every((r) => requirementMatches(r, nodeFields));
}

/** Whether the node satisfies the pod's nodeSelector and required node affinity. */
export function matchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

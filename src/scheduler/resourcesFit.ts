// The NodeResourcesFit filter (noderesources/fit.go fitsRequest): the node's pod count against
// allocatable pods, then each resource the pod requests against what the node's allocatable leaves
// after the requests of the pods already on it. Requests are the pod's effective ones
// (resource helpers' PodRequests): the containers' sum plus the sidecars, or the largest init
// container step if bigger, plus overhead. Requests, not usage: a pod that asks for more CPU than
// the node has waits Pending as in a cluster, whatever the node is doing.
import type { Container, Node } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../api/types.js';
import { parseQuantity } from '../kubelet/eviction/quantity.js';

/** The resources the filter checks, in its order, with the nano-unit request of each. */
type Requests = Map<string, bigint>;

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function containerRequests(c: Container): Requests {
  const out: Requests = new Map();
  // The API server defaults a request to its limit when only the limit is given.
  const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) } as Record<string, string | number>;
  for (const [name, value] of Object.entries(req)) {
    const q = parseQuantity(value);
    if (q) out.set(name, q.nanos);
  }
  return out;
}

const add = (a: Requests, b: Requests): Requests => {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0n) + v);
  return out;
};
const max = (a: Requests, b: Requests): Requests => {
  const out = new Map(a);
  for (const [k, v] of b) if (v > (out.get(k) ?? 0n)) out.set(k, v);
  return out;
};

/** PodRequests: max(containers + sidecars, each init step with the sidecars started before it) + overhead. */
export function podRequests(pod: Pod): Requests {
  let sidecars: Requests = new Map();
  let initPeak: Requests = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(r, sidecars));
    }
  }
  let total = sidecars;
  for (const c of pod.spec?.containers ?? []) total = add(total, containerRequests(c));
  total = max(total, initPeak);
  const overhead: Requests = new Map();
  for (const [k, v] of Object.entries((pod.spec?.overhead ?? {}) as Record<string, string>)) {
    const q = parseQuantity(v);
    if (q) overhead.set(k, q.nanos);
  }
  return add(total, overhead);
}

/** The filter's reasons for one node: empty when the pod fits. */
export function insufficientResources(pod: Pod, node: Node, podsOnNode: readonly Pod[]): string[] {
  const allocatable = (node.status?.allocatable ?? {}) as Record<string, string>;
  const reasons: string[] = [];
  const allowedPods = parseQuantity(allocatable.pods);
  if (allowedPods && BigInt(podsOnNode.length + 1) * 1_000_000_000n > allowedPods.nanos) reasons.push('Too many pods');
  const want = podRequests(pod);
  if (![...want.values()].some((v) => v > 0n)) return reasons;
  let used: Requests = new Map();
  for (const p of podsOnNode) used = add(used, podRequests(p));
  const names = [...RESOURCES, ...[...want.keys()].filter((k) => !RESOURCES.includes(k)).sort()];
  for (const name of names) {
    const w = want.get(name) ?? 0n;
    if (w <= 0n) continue;
    const cap = parseQuantity(allocatable[name]);
    // An extended resource the node does not have at all cannot be satisfied either.
    const free = (cap?.nanos ?? 0n) - (used.get(name) ?? 0n);
    if (w > free) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

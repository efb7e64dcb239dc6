// Whether an update would store the pod as it already is. The API server's store compares the
// encoded new object with the stored bytes and, when they are equal, writes nothing: the object
// and its resourceVersion stay as they were, no watch event goes out, and the reply is the stored
// object. kubectl patch then prints "pod/x patched (no change)": it compares the object it got
// before patching with the one the PATCH returned (reflect.DeepEqual in kubectl's patch.go), so
// the reply must be exactly what a GET returns.
//
// "Equal" is equal once encoded as the API server encodes: Go's omitempty drops nil and empty
// maps and slices, so a field set to null, a list set to [] and labels set to {} are the same as
// absent. (An empty struct such as `securityContext: {}` is not; only the maps clients commonly
// empty, labels and annotations, are treated as maps here.)
import type { Pod } from '../../api/types.js';
import { isObject } from './typed.js';

const absent = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (absent(a[k]) && absent(b[k])) continue;
      if (!same(a[k], b[k])) return false;
    }
    return true;
  }
  return a === b;
}

function withoutEmptyMaps(pod: Pod): Pod {
  const meta = { ...pod.metadata };
  if (isObject(meta.labels) && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (isObject(meta.annotations) && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  return { ...pod, metadata: meta };
}

/** True when `next` (as it would be stored) encodes like `stored`: the update is a no-op. */
export function podUnchanged(next: Pod, stored: Pod): boolean {
  const { kind: _k1, apiVersion: _a1, ...n } = withoutEmptyMaps(next);
  const { kind: _k2, apiVersion: _a2, ...s } = withoutEmptyMaps(stored);
  return same(n, s);
}

type Condition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];

/**
 * pods/status: whether the readiness-gate conditions sent (the only ones taken) are those the pod
 * has. A condition sent without lastTransitionTime matches one that has it, as a strategic merge
 * patch keeps the stored time.
 */
export function gateConditionsUnchanged(stored: Pod, conditions: readonly Condition[] | undefined): boolean {
  const gates = new Set((stored.spec?.readinessGates ?? []).map((g) => g.conditionType));
  const current = stored.status?.conditions ?? [];
  return (conditions ?? [])
    .filter((c) => gates.has(c.type))
    .every((c) => {
      const have = current.find((e) => e.type === c.type);
      return have !== undefined && same({ lastTransitionTime: have.lastTransitionTime, ...c }, have);
    });
}

// policy/v1 PodDisruptionBudget validation as the API server's (pkg/apis/policy/validation):
// minAvailable and maxUnavailable not both, each a non-negative integer or a percentage of at most
// 100%, the selector a valid LabelSelector, unhealthyPodEvictionPolicy IfHealthyBudget or
// AlwaysAllow; and the status subresource's counters non-negative.
import { type FieldError, child, invalid, unsupported } from '../fieldErrors.js';
import { validateLabelSelector } from '../selectors/validateLabelSelector.js';
import type { LabelSelector, PodDisruptionBudget } from '../types.js';
import { validateObjectMeta } from '../validateMeta.js';
import { percentOf } from './intOrPercent.js';

export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const NEGATIVE = 'must be greater than or equal to 0';

/** Go's %#v of an intstr.IntOrString, as field.Invalid prints one (it is no Stringer by value). */
function goIntOrString(v: number | string): string {
  return typeof v === 'number' ? `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}` : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;
}

const rawInvalid = (path: string, shown: string, detail: string): FieldError => ({ path, kind: 'invalid', message: `Invalid value: ${shown}: ${detail}` });

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) return [invalid(path, v, 'must be an integer or percentage (e.g \'5%\')')];
    return v < 0 ? [invalid(path, v, NEGATIVE)] : [];
  }
  if (typeof v !== 'string') return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
  const p = percentOf(v);
  if (p === undefined) return [rawInvalid(path, goIntOrString(v), PERCENT_MESSAGE)];
  return p > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const errs = validateObjectMeta(pdb.metadata ?? {});
  const spec: Record<string, unknown> = typeof pdb.spec === 'object' && pdb.spec !== null ? (pdb.spec as Record<string, unknown>) : {};
  const set = (v: unknown) => v !== undefined && v !== null;
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) {
    errs.push(rawInvalid('spec', JSON.stringify({ minAvailable: spec.minAvailable, maxUnavailable: spec.maxUnavailable }), 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (set(spec.minAvailable)) errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
  if (set(spec.maxUnavailable)) errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(spec.selector as LabelSelector | undefined, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (set(policy) && !UNHEALTHY_POD_EVICTION_POLICIES.includes(policy as string)) errs.push(unsupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POD_EVICTION_POLICIES));
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate: the counters may not go below zero. */
export function validatePodDisruptionBudgetStatus(pdb: PodDisruptionBudget): FieldError[] {
  const status: Record<string, unknown> = typeof pdb.status === 'object' && pdb.status !== null ? (pdb.status as unknown as Record<string, unknown>) : {};
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) {
    const v = status[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) errs.push(invalid(child('status', f), v, 'must be an integer'));
    else if (v < 0) errs.push(invalid(child('status', f), v, NEGATIVE));
  }
  return errs;
}

// ValidatePodUpdate (pkg/apis/core/validation): what an update of a running pod may change. Only
// labels, annotations, container images, a shorter activeDeadlineSeconds and added tolerations;
// anything else is refused with the API server's own Forbidden message.
import type { Container, Pod, PodSpec } from './types.js';
import { type FieldError, forbidden, invalid, required } from './fieldErrors.js';
import { validateObjectMeta } from './validateMeta.js';

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** JSON with sorted keys, so two objects compare equal whatever order their fields were written in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Paths that differ between two JSON values, for the detail under the Forbidden message. */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (same(a, b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diffPaths((a as any)[k], (b as any)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    return;
  }
  out.push(path);
}

function imagesMasked(containers: Container[] | undefined, from: Container[] | undefined): Container[] | undefined {
  if (!containers) return containers;
  return containers.map((c, i) => (from?.[i] ? { ...c, image: from[i]!.image } : c));
}

export function validatePodUpdate(next: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const nm = next.metadata ?? {};
  const om = old.metadata ?? {};
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (nm[f] !== undefined && nm[f] !== om[f]) errs.push(invalid(`metadata.${f}`, nm[f], 'field is immutable'));
  }
  errs.push(...validateObjectMeta({ ...nm, name: om.name, namespace: om.namespace }).filter((e) => !e.path.startsWith('metadata.name') && !e.path.startsWith('metadata.namespace')));
  const ns: PodSpec = next.spec ?? { containers: [] };
  const os: PodSpec = old.spec ?? { containers: [] };
  for (const [field, list] of [['containers', ns.containers], ['initContainers', ns.initContainers]] as const) {
    (list ?? []).forEach((c, i) => {
      if (!c.image) errs.push(required(`spec.${field}[${i}].image`));
    });
  }
  const oldDeadline = os.activeDeadlineSeconds;
  const newDeadline = ns.activeDeadlineSeconds;
  if (newDeadline !== undefined && newDeadline !== null && (!Number.isInteger(newDeadline) || newDeadline < 1 || newDeadline > 2147483647)) {
    errs.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be between 1 and 2147483647, inclusive'));
  } else if (oldDeadline !== undefined && oldDeadline !== null) {
    if (newDeadline === undefined || newDeadline === null) errs.push(invalid('spec.activeDeadlineSeconds', 'null', 'must not update from a positive integer to nil value'));
    else if (newDeadline > oldDeadline) errs.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
  }
  const oldTolerations = os.tolerations ?? [];
  const newTolerations = ns.tolerations ?? [];
  const tolerationsOk = oldTolerations.every((t) => newTolerations.some((n) => same(n, t)));
  // Compare with every mutable field set back to its old value: what is left must not differ.
  const masked: PodSpec = {
    ...ns,
    containers: imagesMasked(ns.containers, os.containers)!,
    initContainers: imagesMasked(ns.initContainers, os.initContainers),
    activeDeadlineSeconds: os.activeDeadlineSeconds,
    tolerations: tolerationsOk ? os.tolerations : ns.tolerations,
    nodeName: ns.nodeName || os.nodeName,
  };
  if (!same(masked, os)) {
    const paths: string[] = [];
    diffPaths(os, masked, 'spec', paths);
    errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n  changed: ${paths.slice(0, 10).join(', ')}`));
  }
  return errs;
}

// The pods/ephemeralcontainers subresource's validation, as the API server's
// ValidatePodEphemeralContainersUpdate and validateEphemeralContainers (pkg/apis/core/validation):
// each ephemeral container is a container (name, image, env, volumeMounts, securityContext...) with
// a name unique across all the pod's containers, a targetContainerName that names one of its
// (non-ephemeral) containers, none of the fields that would make it part of the workload (ports,
// probes, lifecycle, resources, subPath), and the ones already there may be neither changed nor removed.
import type { EphemeralContainer } from 'kubernetes-types/core/v1.js';
import type { Container, Pod } from './types.js';
import { type FieldError, type Findings, child, forbidden, index, notFound } from './fieldErrors.js';
import { validateContainer } from './validateContainer.js';
import { validateObjectMeta } from './validateMeta.js';
import { canonical } from './validatePodUpdate.js';

const PATH = 'spec.ephemeralContainers';
const NOT_FOR_EPHEMERAL = 'cannot be set for an Ephemeral Container';

/** EphemeralContainerCommon's fields that allowedEphemeralContainerFields marks false, in its order. */
const DISALLOWED = ['ports', 'resources', 'resizePolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const;

/** Go's zero value test of validateFieldAllowList: the defaulted `resources: {}` is not "set". */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.values(v).some(isSet);
  return v !== '' && v !== 0 && v !== false;
}

function validateOne(ec: EphemeralContainer, path: string, names: Set<string>, targets: ReadonlySet<string>, volumeNames: ReadonlySet<string>, pod: Pod, out: Findings): void {
  // The container rules, on what is left once the fields refused below are taken out (so one
  // mistake is reported once, as the API server's "cannot be set for an Ephemeral Container").
  const raw = ec as unknown as Record<string, unknown>;
  const { targetContainerName: _target, ...common } = raw;
  for (const f of [...DISALLOWED, 'restartPolicy']) delete common[f];
  const targetContainerName = ec.targetContainerName;
  const asContainer = common as unknown as Container;
  const spec = pod.spec ?? { containers: [] };
  validateContainer(asContainer, path, false, names, { volumeNames, grace: spec.terminationGracePeriodSeconds, hostNetwork: spec.hostNetwork === true, hostUsers: spec.hostUsers !== false }, out);
  if (targetContainerName && !targets.has(targetContainerName)) out.errors.push(notFound(child(path, 'targetContainerName'), targetContainerName));
  for (const f of DISALLOWED) {
    if (isSet(raw[f])) out.errors.push(forbidden(child(path, f), NOT_FOR_EPHEMERAL));
  }
  (ec.volumeMounts ?? []).forEach((vm, i) => {
    for (const f of ['subPath', 'subPathExpr'] as const) if (vm[f]) out.errors.push(forbidden(child(index(child(path, 'volumeMounts'), i), f), NOT_FOR_EPHEMERAL));
  });
  if (raw.restartPolicy !== undefined && raw.restartPolicy !== null) {
    out.errors.push(forbidden(child(path, 'restartPolicy'), NOT_FOR_EPHEMERAL));
  }
}

/** validateEphemeralContainers: the new pod's whole list. */
export function validateEphemeralContainers(pod: Pod): FieldError[] {
  const spec = pod.spec ?? { containers: [] };
  const list: unknown = spec.ephemeralContainers;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return [forbidden(PATH, 'must be a list of ephemeral containers')];
  const out: Findings = { errors: [], warnings: [] };
  const targets = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const names = new Set(targets);
  const volumeNames = new Set((spec.volumes ?? []).map((v) => v.name));
  list.forEach((ec: unknown, i) => {
    const path = index(PATH, i);
    if (ec === null || typeof ec !== 'object' || Array.isArray(ec)) out.errors.push(forbidden(path, 'must be an object'));
    else validateOne(ec as EphemeralContainer, path, names, targets, volumeNames, pod, out);
  });
  return out.errors;
}

/**
 * ValidatePodEphemeralContainersUpdate: the metadata as for any update, the new list valid, and
 * every ephemeral container already there still there, unchanged (patches do not keep the order, so
 * each is looked up by name). A static pod has none.
 */
export function validateEphemeralContainersUpdate(next: Pod, old: Pod): FieldError[] {
  if (old.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return [forbidden('', 'static pods do not support ephemeral containers')];
  const errs: FieldError[] = validateObjectMeta({ ...(next.metadata ?? {}), name: old.metadata?.name, namespace: old.metadata?.namespace }).filter(
    (e) => !e.path.startsWith('metadata.name') && !e.path.startsWith('metadata.namespace'),
  );
  errs.push(...validateEphemeralContainers(next));
  const current = Array.isArray(next.spec?.ephemeralContainers) ? next.spec!.ephemeralContainers : [];
  for (const was of old.spec?.ephemeralContainers ?? []) {
    const now = current.find((c) => c && c.name === was.name);
    if (!now) errs.push(forbidden(PATH, `existing ephemeral containers ${JSON.stringify(was.name)} may not be removed\n`));
    else if (canonical(now) !== canonical(was)) errs.push(forbidden(PATH, `existing ephemeral containers ${JSON.stringify(was.name)} may not be changed\n`));
  }
  return errs;
}

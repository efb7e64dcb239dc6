// Entry points of validation. A pod is checked in three passes, all reported together so the
// user fixes everything in one go: strict decoding (unknown fields, wrong types), the API
// server's rules, and the features tinylet lacks (errors, or warnings with --lenient).
import type { Pod } from './types.js';
import type { ManifestDoc } from './manifest.js';
import { type FieldError, type Findings, required, unsupported } from './fieldErrors.js';
import { defaultPod } from './defaults.js';
import { findNotImplemented } from './notImplemented.js';
import { podSchema } from './podSchema.js';
import { schedulerOnlyNotes } from './schedulerOnlyFields.js';
import { apiVersionError, isServedObjectKind } from './servedResources.js';
import { decodeStrict, isUnderPath } from './schema.js';
import { validateObjectMeta } from './validateMeta.js';
import { validatePodSpec } from './validatePodSpec.js';

export interface ValidateOptions {
  /** Report unimplemented features as warnings instead of errors. */
  lenient?: boolean;
}

export type ValidationResult = Findings;

/** Validates a pod that has already been through defaultPod, listing every problem found. */
export function validatePod(pod: Pod, opts: ValidateOptions = {}): ValidationResult {
  const decoded = decodeStrict(pod, podSchema);
  const clean = decoded.value as Pod;
  const out: Findings = { errors: [], warnings: [] };
  if (clean.apiVersion !== 'v1') out.errors.push(clean.apiVersion ? unsupported('apiVersion', clean.apiVersion, ['v1']) : required('apiVersion'));
  if (clean.kind !== 'Pod') out.errors.push(clean.kind ? unsupported('kind', clean.kind, ['Pod']) : required('kind'));
  out.errors.push(...validateObjectMeta(clean.metadata ?? {}));
  validatePodSpec(clean.spec ?? { containers: [] }, out);
  out.warnings.push(...schedulerOnlyNotes(clean.spec ?? { containers: [] }));
  const gaps = findNotImplemented(clean);

  // A mistyped value was already reported and replaced by a placeholder; what was found under it is noise.
  const relevant = (e: FieldError) => !decoded.mistyped.some((p) => isUnderPath(e.path, p));
  return {
    errors: [...decoded.errors, ...out.errors.filter(relevant), ...(opts.lenient ? [] : gaps.filter(relevant))],
    warnings: [...out.warnings.filter(relevant), ...(opts.lenient ? gaps.filter(relevant) : [])],
  };
}

export interface ValidatedObjects {
  /** Defaulted pods that passed validation, in input order. */
  pods: Pod[];
  /**
   * The other served objects (Services, ConfigMaps, Secrets, Endpoints, EndpointSlices), as given,
   * in input order: only their apiVersion and their uniqueness in the input are checked here; the
   * server validates the rest when they are created.
   */
  objects: Record<string, any>[];
  errors: FieldError[];
  warnings: FieldError[];
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `pod.yaml#2 (Service init-demo)`: which object of a multi-document input a problem is about. */
export function describeDoc(doc: ManifestDoc): string {
  const o = doc.object;
  const kind = isObject(o) && typeof o.kind === 'string' && o.kind ? o.kind : 'object without kind';
  const meta = isObject(o) && isObject(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '';
  return `${doc.source}#${doc.index + 1} (${name ? `${kind} ${name}` : kind})`;
}

/**
 * Defaults and validates every Pod of an input; the other served kinds pass through (see
 * ValidatedObjects.objects). Kinds tinylet does not serve are refused (planKinds words them first).
 */
export function validateObjects(docs: ManifestDoc[], opts: ValidateOptions = {}): ValidatedObjects {
  const result: ValidatedObjects = { pods: [], objects: [], errors: [], warnings: [] };
  const seen = new Map<string, string>();
  for (const doc of docs) {
    const object = docs.length > 1 ? describeDoc(doc) : undefined;
    const tag = (list: FieldError[]) => list.map((e) => (object ? { ...e, object } : e));
    const found = validateDoc(doc, opts);
    const valid = found.pod ?? found.object;
    if (valid && found.errors.length === 0) {
      const meta = valid.metadata ?? {};
      const kind = String(valid.kind);
      const id = `${meta.namespace || 'default'}/${meta.name}`;
      const first = seen.get(`${kind} ${id}`);
      if (first !== undefined) found.errors.push({ path: 'metadata.name', kind: 'duplicate', message: `duplicate ${kind} ${JSON.stringify(id)} (already defined by ${first})` });
      else seen.set(`${kind} ${id}`, `${doc.source}#${doc.index + 1}`);
    }
    result.errors.push(...tag(found.errors));
    result.warnings.push(...tag(found.warnings));
    if (found.errors.length === 0 && found.pod) result.pods.push(found.pod);
    if (found.errors.length === 0 && found.object) result.objects.push(found.object);
  }
  return result;
}

function validateDoc(doc: ManifestDoc, opts: ValidateOptions): Findings & { pod?: Pod; object?: Record<string, any> } {
  const o = doc.object;
  if (!isObject(o)) return { errors: [{ path: '', kind: 'invalid', message: 'must be a mapping (a Kubernetes object), not a plain value or a list' }], warnings: [] };
  if (typeof o.kind !== 'string' || o.kind === '') return { errors: [required('kind', 'every object needs apiVersion and kind')], warnings: [] };
  if (o.kind === 'Pod') {
    const pod = defaultPod(o as Pod);
    return { ...validatePod(pod, opts), pod };
  }
  if (isServedObjectKind(o.kind)) {
    // The server validates these when they are created; a wrong apiVersion would send them nowhere.
    const wrong = apiVersionError(o);
    return wrong ? { errors: [wrong], warnings: [] } : { errors: [], warnings: [], object: o };
  }
  return { errors: [{ path: '', kind: 'unsupported', message: `kind ${JSON.stringify(o.kind)} is not supported` }], warnings: [] };
}

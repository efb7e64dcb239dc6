// ObjectMeta rules shared by every kind (apimachinery's ValidateObjectMeta): the name and
// namespace become directory names, hostnames and store keys, so their syntax matters here too.
import type { ObjectMeta } from './types.js';
import { type FieldError, child, invalid, key, required } from './fieldErrors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export type NameRule = (name: string) => string[];

/**
 * Pods and most kinds use DNS-1123 subdomain names; Services use labels (RFC 1035), which
 * callers pass as `nameRule`.
 */
export function validateObjectMeta(meta: ObjectMeta, path = 'metadata', nameRule: NameRule = isDNS1123Subdomain): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) {
    errs.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of nameRule(meta.name)) errs.push(invalid(child(path, 'name'), meta.name, msg));
  }
  if (!meta.namespace) {
    errs.push(required(child(path, 'namespace')));
  } else {
    for (const msg of isDNS1123Label(meta.namespace)) errs.push(invalid(child(path, 'namespace'), meta.namespace, msg));
  }
  errs.push(...validateLabels(meta.labels ?? {}, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations ?? {}, child(path, 'annotations')));
  return errs;
}

export function validateLabels(labels: Record<string, string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(key(path, k), v, msg));
  }
  return errs;
}

/** Annotation values are free text; keys follow label-key syntax and the whole map is capped. */
export function validateAnnotations(annotations: Record<string, string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push({ path, kind: 'invalid', message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  return errs;
}

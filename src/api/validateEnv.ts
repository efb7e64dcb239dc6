// Environment variables. Names follow the API server's rule; a repeated name is legal (the last
// one wins) but kubectl warns because `apply` may drop one of them, and so do we.
import type { Container, EnvVar } from './types.js';
import { isConfigMapKey } from './configMaps.js';
import { type FieldError, type Findings, child, forbidden, index, invalid, required, unsupported } from './fieldErrors.js';
import { isDNS1123Subdomain, isEnvVarName, isQualifiedName } from './names.js';
import { validateResourceFieldRef } from './validateResourceFieldRef.js';

/** What `valueFrom.fieldRef.fieldPath` may name in an env var (labels/annotations need a key). */
export const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const SUBSCRIPTED = /^(metadata\.labels|metadata\.annotations)\['(.*)'\]$/;
const SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'] as const;

export function validateEnv(env: EnvVar[], path: string, out: Findings): void {
  const seen = new Set<string>();
  env.forEach((e, i) => {
    const p = index(path, i);
    if (!e.name) out.errors.push(required(child(p, 'name')));
    else {
      for (const msg of isEnvVarName(e.name)) out.errors.push(invalid(child(p, 'name'), e.name, msg));
      if (seen.has(e.name)) out.warnings.push({ path: p, kind: 'duplicate', message: `hides previous definition of ${JSON.stringify(e.name)}, which may be dropped when using apply` });
      seen.add(e.name);
    }
    if (e.valueFrom) out.errors.push(...validateValueFrom(e, child(p, 'valueFrom')));
  });
}

function validateValueFrom(e: EnvVar, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const from = e.valueFrom as Record<string, unknown>;
  const set = SOURCES.filter((s) => from[s] !== undefined);
  if (set.length === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  if (set.length > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  if (e.value) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  if (set.length !== 1) return errs;
  const source = e.valueFrom!;
  if (source.fieldRef) errs.push(...validateObjectFieldSelector(source.fieldRef, child(path, 'fieldRef'), ENV_FIELD_PATHS));
  if (source.resourceFieldRef) errs.push(...validateResourceFieldRef(source.resourceFieldRef, child(path, 'resourceFieldRef'), false));
  if (source.configMapKeyRef) errs.push(...validateKeySelector(source.configMapKeyRef, child(path, 'configMapKeyRef')));
  if (source.secretKeyRef) errs.push(...validateKeySelector(source.secretKeyRef, child(path, 'secretKeyRef')));
  return errs;
}

/** validateObjectFieldSelector: apiVersion v1, and a fieldPath among `allowed` or a subscripted label/annotation. */
export function validateObjectFieldSelector(ref: { apiVersion?: string; fieldPath?: string }, path: string, allowed: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') errs.push(unsupported(child(path, 'apiVersion'), ref.apiVersion, ['v1']));
  return [...errs, ...validateFieldPath(ref.fieldPath, child(path, 'fieldPath'), allowed)];
}

function validateFieldPath(fieldPath: string | undefined, path: string, allowed: readonly string[]): FieldError[] {
  if (!fieldPath) return [required(path)];
  const sub = SUBSCRIPTED.exec(fieldPath);
  if (sub) {
    // Annotation keys are case-insensitive for this check, label keys are not (as in the API server).
    const k = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(k).map((msg) => invalid(path, sub[2], msg));
  }
  return allowed.includes(fieldPath) ? [] : [unsupported(path, fieldPath, allowed)];
}

/** validateConfigMapKeySelector / validateSecretKeySelector: a valid object name and config key. */
function validateKeySelector(ref: { name?: string; key?: string }, path: string): FieldError[] {
  const errs = validateObjectName(ref.name, child(path, 'name'));
  if (!ref.key) errs.push(required(child(path, 'key')));
  else for (const msg of isConfigMapKey(ref.key)) errs.push(invalid(child(path, 'key'), ref.key, msg));
  return errs;
}

/** ValidateConfigMapName / ValidateSecretName: a DNS subdomain. */
export function validateObjectName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [required(path)];
  return isDNS1123Subdomain(name).map((msg) => invalid(path, name, msg));
}

/** validateEnvFrom: exactly one of configMapRef or secretRef each, a valid name, a valid prefix. */
export function validateEnvFrom(envFrom: NonNullable<Container['envFrom']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  envFrom.forEach((ev, i) => {
    const p = index(path, i);
    if (ev.prefix) for (const msg of isEnvVarName(ev.prefix)) errs.push(invalid(child(p, 'prefix'), ev.prefix, msg));
    let sources = 0;
    if (ev.configMapRef) {
      sources++;
      errs.push(...validateObjectName(ev.configMapRef.name, child(child(p, 'configMapRef'), 'name')));
    }
    if (ev.secretRef) {
      sources++;
      errs.push(...validateObjectName(ev.secretRef.name, child(child(p, 'secretRef'), 'name')));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(forbidden(p, 'may not have more than one field specified at a time'));
  });
  return errs;
}

// Environment variables. Names follow the API server's rule; a repeated name is legal (the last
// one wins) but kubectl warns because `apply` may drop one of them, and so do we.
import type { EnvVar } from './types.js';
import { type FieldError, type Findings, child, index, invalid, required, unsupported } from './fieldErrors.js';
import { isEnvVarName, isQualifiedName } from './names.js';

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
  const ref = e.valueFrom!.fieldRef;
  if (set.length === 1 && ref) {
    const p = child(path, 'fieldRef');
    if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') errs.push(unsupported(child(p, 'apiVersion'), ref.apiVersion, ['v1']));
    errs.push(...validateFieldPath(ref.fieldPath, child(p, 'fieldPath')));
  }
  return errs;
}

function validateFieldPath(fieldPath: string | undefined, path: string): FieldError[] {
  if (!fieldPath) return [required(path)];
  const sub = SUBSCRIPTED.exec(fieldPath);
  if (sub) {
    // Annotation keys are case-insensitive for this check, label keys are not (as in the API server).
    const k = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(k).map((msg) => invalid(path, sub[2], msg));
  }
  return ENV_FIELD_PATHS.includes(fieldPath) ? [] : [unsupported(path, fieldPath, ENV_FIELD_PATHS)];
}

// configMap, secret, downwardAPI and projected volumes, as the API server validates them
// (validateConfigMapVolumeSource, validateSecretVolumeSource, validateDownwardAPIVolumeSource,
// validateProjectedVolumeSource): names, items (key, a relative path without '..', a mode), modes
// 0..0777, one source per projection, the downward API's fields.
import type { Volume } from './types.js';
import { type FieldError, child, forbidden, index, invalid, notImplemented, required } from './fieldErrors.js';
import { validateObjectFieldSelector } from './validateEnv.js';
import { validateResourceFieldRef } from './validateResourceFieldRef.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
/** What a downwardAPI volume item's fieldRef may name (labels and annotations may also be subscripted). */
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

type KeyToPath = { key?: string; path?: string; mode?: number };
type DownwardAPIFile = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];

function validateMode(mode: number | undefined, path: string): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** ValidateLocalNonReservedPath: relative, no '..' element, not starting with '..'. */
export function validateLocalNonReservedPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  else if (p.startsWith('..')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateKeyToPath(kp: KeyToPath, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(required(child(path, 'key')));
  if (!kp.path) errs.push(required(child(path, 'path')));
  else errs.push(...validateLocalNonReservedPath(kp.path, child(path, 'path')));
  return [...errs, ...validateMode(kp.mode, child(path, 'mode'))];
}

function validateItems(items: KeyToPath[] | undefined, path: string): FieldError[] {
  return (items ?? []).flatMap((kp, i) => validateKeyToPath(kp, index(path, i)));
}

export function validateConfigMapVolume(s: NonNullable<Volume['configMap']>, path: string): FieldError[] {
  return [
    ...(s.name ? [] : [required(child(path, 'name'))]),
    ...validateMode(s.defaultMode, child(path, 'defaultMode')),
    ...validateItems(s.items, child(path, 'items')),
  ];
}

export function validateSecretVolume(s: NonNullable<Volume['secret']>, path: string): FieldError[] {
  return [
    ...(s.secretName ? [] : [required(child(path, 'secretName'))]),
    ...validateMode(s.defaultMode, child(path, 'defaultMode')),
    ...validateItems(s.items, child(path, 'items')),
  ];
}

function validateDownwardAPIFile(f: DownwardAPIFile, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!f.path) errs.push(required(child(path, 'path')));
  else errs.push(...validateLocalNonReservedPath(f.path, child(path, 'path')));
  if (f.fieldRef) {
    errs.push(...validateObjectFieldSelector(f.fieldRef, child(path, 'fieldRef'), VOLUME_FIELD_PATHS));
    if (f.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (f.resourceFieldRef) {
    errs.push(...validateResourceFieldRef(f.resourceFieldRef, child(path, 'resourceFieldRef'), true));
  } else errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  return [...errs, ...validateMode(f.mode, child(path, 'mode'))];
}

export function validateDownwardAPIVolume(s: NonNullable<Volume['downwardAPI']>, path: string): FieldError[] {
  return [...validateMode(s.defaultMode, child(path, 'defaultMode')), ...(s.items ?? []).flatMap((f, i) => validateDownwardAPIFile(f, index(child(path, 'items'), i)))];
}

const PROJECTION_SOURCES = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'];

export function validateProjectedVolume(s: NonNullable<Volume['projected']>, path: string): FieldError[] {
  const errs = validateMode(s.defaultMode, child(path, 'defaultMode'));
  const paths = new Set<string>();
  const claim = (p: string | undefined, name: unknown) => {
    if (!p) return;
    if (paths.has(p)) errs.push(invalid(path, name, 'conflicting duplicate paths'));
    paths.add(p);
  };
  (s.sources ?? []).forEach((src, i) => {
    const sp = index(child(path, 'sources'), i);
    const set = PROJECTION_SOURCES.filter((k) => (src as Record<string, unknown>)[k] !== undefined && (src as Record<string, unknown>)[k] !== null);
    if (set.length === 0) errs.push(required(sp, `must specify one of: ${PROJECTION_SOURCES.map((k) => `\`${k}\``).join(', ')}`));
    if (set.length > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
    for (const [kind, ref] of [['configMap', src.configMap], ['secret', src.secret]] as const) {
      if (!ref) continue;
      const p = child(sp, kind);
      if (!ref.name) errs.push(required(child(p, 'name')));
      (ref.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, index(child(p, 'items'), j)));
        claim(kp.path, ref.name ?? '');
      });
    }
    if (src.downwardAPI) {
      (src.downwardAPI.items ?? []).forEach((f, j) => {
        errs.push(...validateDownwardAPIFile(f, index(child(child(sp, 'downwardAPI'), 'items'), j)));
        claim(f.path, f.path);
      });
    }
    const token = src.serviceAccountToken;
    if (token) {
      const p = child(sp, 'serviceAccountToken');
      const seconds = token.expirationSeconds ?? 3600;
      if (seconds < 600) errs.push(invalid(child(p, 'expirationSeconds'), seconds, 'may not specify a duration less than 10 minutes'));
      if (seconds > 2 ** 32) errs.push(invalid(child(p, 'expirationSeconds'), seconds, 'may not specify a duration larger than 2^32 seconds'));
      if (!token.path) errs.push(required(child(p, 'path')));
      else {
        errs.push(...validateLocalNonReservedPath(token.path, child(p, 'path')));
        claim(token.path, token.path);
      }
    }
  });
  return errs;
}

/** Projection sources tinylet cannot write (notImplemented.ts reports them). */
export function projectedGaps(s: NonNullable<Volume['projected']>, path: string): FieldError[] {
  const out: FieldError[] = [];
  (s.sources ?? []).forEach((src, i) => {
    for (const k of ['clusterTrustBundle', 'podCertificate']) {
      if ((src as Record<string, unknown>)[k] !== undefined) out.push(notImplemented(child(index(child(path, 'sources'), i), k)));
    }
  });
  return out;
}

// ValidateConfigMap and ValidateConfigMapUpdate (pkg/apis/core/validation/validation.go), and the
// key and size rules Secrets share with them (IsConfigMapKey, core.MaxSecretSize).
import type { ConfigMap } from './types.js';
import { type FieldError, forbidden, invalid, key } from './fieldErrors.js';
import { validateObjectMeta } from './validateMeta.js';

/** core.MaxSecretSize, the cap on a ConfigMap's or a Secret's data: 1 MiB. */
export const MAX_CONFIG_SIZE = 1024 * 1024;

const CONFIG_KEY = '[-._a-zA-Z0-9]+';

/** IsConfigMapKey: a file name in a volume, so no '/' and no '.' or '..'. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${CONFIG_KEY}$`).test(value)) {
    errs.push(`a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${CONFIG_KEY}')`);
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/**
 * Go's encoding/base64 StdEncoding (padded, newlines ignored) decoding a []byte field: the
 * decoded length, or the CorruptInputError the API server answers with.
 */
export function decodeBase64(value: string): { bytes: number } | { error: string } {
  if (value.length % 4 === 0 && /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return { bytes: Buffer.from(value, 'base64').length };
  let clean = '';
  const pos: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\r' || ch === '\n') continue;
    clean += ch;
    pos.push(i);
  }
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i]!;
    if (/[A-Za-z0-9+/]/.test(ch)) continue;
    // Padding is only legal as the last one or two characters of a whole quantum.
    const tail = clean.length - i;
    if (ch === '=' && clean.length % 4 === 0 && (tail === 1 || (tail === 2 && clean[i + 1] === '=')) && i % 4 >= 2) continue;
    return { error: `illegal base64 data at input byte ${pos[i]}` };
  }
  if (clean.length % 4 !== 0) return { error: `illegal base64 data at input byte ${value.length}` };
  return { bytes: Buffer.from(clean, 'base64').length };
}

/** field.TooLong, worded as the API server words it for data maps. */
export function tooLongData(path: string): FieldError {
  return { path, kind: 'invalid', message: `Too long: must have at most ${MAX_CONFIG_SIZE} bytes` };
}

/** ObjectMeta fields an update may not change. */
export function metaUpdateErrors(next: { metadata?: ConfigMap['metadata'] }, old: { metadata?: ConfigMap['metadata'] }): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const n = next.metadata?.[f];
    if (n !== undefined && n !== old.metadata?.[f]) errs.push(invalid(`metadata.${f}`, n, 'field is immutable'));
  }
  return errs;
}

/**
 * ValidateConfigMap: keys (in data and binaryData, never both), binaryData values as base64, and
 * the 1 MiB total (data's UTF-8 bytes plus binaryData's decoded bytes), reported on the whole
 * object (an empty path), as the API server does.
 */
export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata ?? {});
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    if (Object.hasOwn(binary, k)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(v ?? '');
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('binaryData', k), k, m));
    const decoded = decodeBase64(v ?? '');
    if ('error' in decoded) errs.push(invalid(key('binaryData', k), '<value omitted>', decoded.error));
    else total += decoded.bytes;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLongData(''));
  return errs;
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => Object.hasOwn(b ?? {}, k) && (b ?? {})[k] === v);
};

/**
 * ValidateConfigMapUpdate: an `immutable: true` ConfigMap keeps its data, binaryData and the flag
 * itself (`data: Forbidden: field is immutable when `immutable` is set`); then ValidateConfigMap.
 */
export function validateConfigMapUpdate(next: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = metaUpdateErrors(next, old);
  if (old.immutable === true) {
    const msg = 'field is immutable when `immutable` is set';
    if (next.immutable !== true) errs.push(forbidden('immutable', msg));
    if (!sameMap(next.data, old.data)) errs.push(forbidden('data', msg));
    if (!sameMap(next.binaryData, old.binaryData)) errs.push(forbidden('binaryData', msg));
  }
  errs.push(...validateConfigMap(next));
  return errs;
}

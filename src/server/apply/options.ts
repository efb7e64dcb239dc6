// The write options every write is checked against before anything else (apimachinery's
// ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions / ValidateDeleteOptions):
// dryRun may only be "All", fieldManager is at most 128 printable characters and required for an
// apply, force only goes with an apply. A bad one is the API server's 422 on the options kind
// (`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`).
import { ApiError } from '../status.js';

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

interface OptionError {
  field: string;
  reason: string;
  message: string;
}

const FIELD_MANAGER_MAX = 128;

/** Go's %#v of a []string: `[]string{"a", "b"}`. */
const goStrings = (values: readonly string[]): string => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

export function dryRunErrors(values: readonly string[]): OptionError[] {
  if (values.every((v) => v === 'All')) return [];
  return [{ field: 'dryRun', reason: 'FieldValueNotSupported', message: `Unsupported value: ${goStrings(values)}: supported values: "All"` }];
}

function fieldManagerErrors(fm: string): OptionError[] {
  if (Buffer.byteLength(fm) > FIELD_MANAGER_MAX) return [{ field: 'fieldManager', reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX} bytes` }];
  let at = 0;
  for (const ch of fm) {
    // unicode.IsPrint: no control, format, unassigned or separator characters but the ASCII space.
    if (/[\p{C}\p{Z}]/u.test(ch) && ch !== ' ') {
      const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return [{ field: 'fieldManager', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(fm)}: invalid character ${code} (at position ${at})` }];
    }
    at += Buffer.byteLength(ch);
  }
  return [];
}

export function optionsInvalid(kind: OptionsKind, errors: readonly OptionError[]): ApiError {
  const lines = errors.map((e) => `${e.field}: ${e.message}`);
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${summary}`, {
    group: 'meta.k8s.io',
    kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });
}

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string | null;
  force: boolean;
}

/** Checks the query's write options (throws the 422) and returns them. */
export function writeOptions(kind: OptionsKind, query: URLSearchParams, apply = false): WriteOptions {
  const dry = query.getAll('dryRun');
  const fm = query.get('fieldManager');
  const errors: OptionError[] = [];
  if (kind === 'PatchOptions') {
    if (!apply && query.has('force')) errors.push({ field: 'force', reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' });
    if (apply && !fm) errors.push({ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' });
  }
  if (kind !== 'DeleteOptions' && fm) errors.push(...fieldManagerErrors(fm));
  errors.push(...dryRunErrors(dry));
  if (errors.length > 0) throw optionsInvalid(kind, errors);
  const force = query.get('force');
  return { dryRun: dry.includes('All'), fieldManager: fm, force: force !== null && /^(1|t|true)$/i.test(force) };
}

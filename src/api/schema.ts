// Strict decoding, as kubectl does it before anything else: every field must be one the API
// knows, with the JSON type the API expects. Typos (`contaners`, `imagePullPolicyy`) would
// otherwise be dropped silently and the pod would run with behaviour nobody asked for.
// The walk also returns a copy holding only well-typed known fields, so later checks can
// trust the shapes they read.
import { type FieldError, child, formatValue, index, key, unknownField } from './fieldErrors.js';

/** `int` is the API's int64, `int32` its int32: a value outside the Go type fails decoding there, so here too. */
export type Scalar = 'string' | 'int' | 'int32' | 'bool' | 'intOrString' | 'quantity' | 'object' | 'any';
export type FieldSpec = Scalar | { list: FieldSpec } | { map: FieldSpec } | { struct: Struct };
export type Struct = { [field: string]: FieldSpec };

export const list = (of: FieldSpec): FieldSpec => ({ list: of });
export const map = (of: FieldSpec): FieldSpec => ({ map: of });
export const struct = (fields: Struct): FieldSpec => ({ struct: fields });

export interface Decoded {
  /** A copy holding only known, well-typed fields. */
  value: unknown;
  errors: FieldError[];
  /** Paths whose values had the wrong type (replaced in `value`), so follow-up errors can be dropped. */
  mistyped: string[];
}

export function decodeStrict(value: unknown, spec: FieldSpec, path = ''): Decoded {
  const errors: FieldError[] = [];
  const decoded = decode(value, spec, path, errors);
  const mistyped = errors.filter((e) => !e.message.startsWith('unknown field')).map((e) => e.path);
  return { value: decoded === undefined ? placeholder(spec) : decoded, errors, mistyped };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns undefined when the value is absent (null counts as absent, as in Go) or mistyped. */
function decode(v: unknown, spec: FieldSpec, path: string, errors: FieldError[]): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof spec === 'string') {
    const problem = scalarProblem(v, spec);
    if (problem) {
      errors.push(typeError(path, v, problem));
      return undefined;
    }
    return v;
  }
  if ('list' in spec) {
    if (!Array.isArray(v)) return mistyped(path, v, 'must be a list', errors);
    // Mistyped elements keep their slot (as a neutral placeholder) so later paths still match the input.
    return v.map((el, i) => {
      const p = index(path, i);
      if (el === null || el === undefined) {
        errors.push(typeError(p, el, 'must not be null'));
        return placeholder(spec.list);
      }
      return decode(el, spec.list, p, errors) ?? placeholder(spec.list);
    });
  }
  if ('map' in spec) {
    if (!isPlainObject(v)) return mistyped(path, v, 'must be a mapping of names to values', errors);
    const out: Record<string, unknown> = {};
    for (const [k, el] of Object.entries(v)) {
      const d = el === null ? undefined : decode(el, spec.map, key(path, k), errors);
      if (el === null) errors.push(typeError(key(path, k), el, 'must not be null'));
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  if (!isPlainObject(v)) return mistyped(path, v, 'must be a mapping of fields', errors);
  const out: Record<string, unknown> = {};
  for (const [k, el] of Object.entries(v)) {
    const fieldSpec = Object.hasOwn(spec.struct, k) ? spec.struct[k] : undefined;
    if (fieldSpec === undefined) {
      errors.push(unknownField(child(path, k), k));
      continue;
    }
    const d = decode(el, fieldSpec, child(path, k), errors);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

const INT32 = { name: 'int32', min: -(2 ** 31), max: 2 ** 31 - 1, shown: '-2147483648 and 2147483647' };
// 2^63-1 is not a double: the nearest one is 2^63, which is also what JSON.parse makes of 9223372036854775807.
const INT64 = { name: 'int64', min: -(2 ** 63), max: 2 ** 63, shown: '-9223372036854775808 and 9223372036854775807' };

function outOfRange(v: number, t: typeof INT32): string | undefined {
  return v < t.min || v > t.max ? `must be an integer of type ${t.name} (between ${t.shown})` : undefined;
}

function mistyped(path: string, v: unknown, problem: string, errors: FieldError[]): undefined {
  errors.push(typeError(path, v, problem));
  return undefined;
}

function scalarProblem(v: unknown, spec: Scalar): string | undefined {
  switch (spec) {
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string' + (typeof v === 'number' || typeof v === 'boolean' ? ' (quote it in YAML)' : '');
    case 'int':
      return !Number.isInteger(v) ? 'must be an integer' : outOfRange(v as number, INT64);
    case 'int32':
      return !Number.isInteger(v) ? 'must be an integer' : outOfRange(v as number, INT32);
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'intOrString':
      return Number.isInteger(v) || typeof v === 'string' ? undefined : 'must be an integer or a string';
    case 'quantity':
      return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? undefined : 'must be a quantity such as "100m" or "1Gi"';
    case 'object':
      return isPlainObject(v) ? undefined : 'must be a mapping of fields';
    case 'any':
      return undefined;
  }
}

/** Long values would drown the message; say what kind of value it was instead. */
function typeError(path: string, v: unknown, problem: string): FieldError {
  let shown = formatValue(v);
  if (shown.length > 60) shown = Array.isArray(v) ? 'a list' : isPlainObject(v) ? 'a mapping' : `${shown.slice(0, 57)}...`;
  return { path, kind: 'invalid', message: `Invalid value: ${shown}: ${problem}` };
}

/** A harmless value of the right shape, used where the input had the wrong one. */
function placeholder(spec: FieldSpec): unknown {
  if (typeof spec !== 'string') return 'list' in spec ? [] : {};
  switch (spec) {
    case 'string':
      return '';
    case 'int':
    case 'int32':
    case 'intOrString':
      return 0;
    case 'bool':
      return false;
    case 'quantity':
      return '0';
    case 'object':
      return {};
    case 'any':
      return null;
  }
}

/** True when `path` is `base` or lies under it, so follow-up errors on a mistyped value can be dropped. */
export function isUnderPath(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
}

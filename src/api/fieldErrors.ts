// One problem found in a manifest, pinned to its field path, worded like the API server's
// field.Error (`<path>: Invalid value: 0: must be ...`) so that people who know kubectl's output
// recognise it, and so that one report can list every problem at once.

export type FieldErrorKind = 'invalid' | 'required' | 'duplicate' | 'unsupported' | 'notImplemented';

export interface FieldError {
  /** Field path in kubectl's notation: `spec.containers[1].name`, `metadata.labels[app]`; '' for the whole object. */
  path: string;
  /** Everything after `<path>: `. */
  message: string;
  kind: FieldErrorKind;
  /** Which object of a multi-document input this is about, e.g. `pod.yaml#2 (Service init-demo)`. */
  object?: string;
}

/** What a validator reports: errors refuse the object, warnings are printed and the object runs. */
export interface Findings {
  errors: FieldError[];
  warnings: FieldError[];
}

export const NOT_IMPLEMENTED_MESSAGE = 'not implemented by tinylet (use --lenient to ignore it)';

/** Values are printed the way Go's %v/%q print them in API errors: strings quoted, numbers bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

export function invalid(path: string, value: unknown, detail: string): FieldError {
  return { path, kind: 'invalid', message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

export function required(path: string, detail = ''): FieldError {
  return { path, kind: 'required', message: detail ? `Required value: ${detail}` : 'Required value' };
}

/** `duplicate name "web"`: shorter than the API server's `Duplicate value: "web"` and says what is duplicated. */
export function duplicate(path: string, what: string, value: unknown): FieldError {
  return { path, kind: 'duplicate', message: `duplicate ${what} ${formatValue(value)}` };
}

export function unsupported(path: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return { path, kind: 'unsupported', message: `Unsupported value: ${formatValue(value)}: supported values: ${list}` };
}

/** Forbidden has no kind of its own in our small taxonomy: it is a value that may not be there. */
export function forbidden(path: string, detail: string): FieldError {
  return { path, kind: 'invalid', message: `Forbidden: ${detail}` };
}

// TooLong and TooMany are kinds of invalid value in our small taxonomy, told apart by their wording
// (as Forbidden and Not found are).

/** field.TooLong: the value itself is left out, as the API server does (it may be megabytes). */
export function tooLong(path: string, max: number, detail = ''): FieldError {
  return { path, kind: 'invalid', message: `Too long: may not be more than ${max} bytes${detail ? `: ${detail}` : ''}` };
}

/** field.TooMany: a list longer than its cap. */
export function tooMany(path: string, actual: number, max: number, detail = ''): FieldError {
  return { path, kind: 'invalid', message: `Too many: ${actual}: must have at most ${max} items${detail ? ` (${detail})` : ''}` };
}

/** A string value as an error shows it: long ones cut (a 128 KiB argument would drown the message). */
export function shortValue(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value;
}

export function notFound(path: string, value: unknown, detail?: string): FieldError {
  return { path, kind: 'invalid', message: `Not found: ${formatValue(value)}${detail ? `: ${detail}` : ''}` };
}

export function notImplemented(path: string, detail?: string): FieldError {
  return { path, kind: 'notImplemented', message: detail ? `${detail}: ${NOT_IMPLEMENTED_MESSAGE}` : NOT_IMPLEMENTED_MESSAGE };
}

/** A field accepted as it is in a cluster, that changes nothing on tinylet's one node (only ever a warning). */
export function noEffect(path: string, detail: string): FieldError {
  return { path, kind: 'invalid', message: `no effect on a single node: ${detail}` };
}

/** kubectl's strict decoding rejects typos instead of dropping them; so do we. */
export function unknownField(path: string, name: string): FieldError {
  return { path, kind: 'invalid', message: `unknown field ${JSON.stringify(name)}` };
}

export function formatFieldError(e: FieldError): string {
  const body = e.path ? `${e.path}: ${e.message}` : e.message;
  return e.object ? `${e.object}: ${body}` : body;
}

export function formatFieldErrors(errors: readonly FieldError[]): string[] {
  return errors.map(formatFieldError);
}

/** The aggregate the API server returns for a rejected object: a title, then one line per problem. */
export class ValidationError extends Error {
  readonly errors: FieldError[];
  readonly objectKind: string;
  readonly objectName: string;

  constructor(kind: string, name: string, errors: FieldError[]) {
    super([`${kind} "${name}" is invalid:`, ...errors.map((e) => `* ${formatFieldError(e)}`)].join('\n'));
    this.name = 'ValidationError';
    this.errors = errors;
    this.objectKind = kind;
    this.objectName = name;
  }
}

// Path builders keep the notation in one place.
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const index = (path: string, i: number): string => `${path}[${i}]`;
export const key = (path: string, k: string): string => `${path}[${k}]`;

// `-o json` prints a JSON document on stdout whatever happens, so that a script or CI job parsing it
// never reads an empty document: on failure `{"errors": [...]}`, one entry per problem, with the
// field path of a validation error or the line and column of a YAML error (the same text goes to
// stderr, for people). The exit code is non-zero.
//
// Nothing here imports the API client: `tinylet run` does not load it (see main.ts); a Status error
// from the server is recognised by its shape.
import type { FieldError } from '../api/fieldErrors.js';
import { ManifestError } from '../api/manifest.js';
import { UsageError } from './usageError.js';

export interface JsonError {
  message: string;
  /** The file (or `<stdin>`) the problem is in. */
  source?: string;
  /** Which object of a multi-document input, e.g. `pod.yaml#2 (Service init-demo)`. */
  object?: string;
  /** The field path, in kubectl's notation: `spec.containers[0].image`. */
  field?: string;
  /** For a field error, its kind (required, invalid, unsupported...); for a server error, the Status reason. */
  reason?: string;
  line?: number;
  column?: number;
  hint?: string;
  /** The HTTP status of a server error. */
  code?: number;
}

export function fieldErrorsToJson(errors: readonly FieldError[], source?: string): JsonError[] {
  return errors.map((e) => ({
    ...(source ? { source } : {}),
    ...(e.object ? { object: e.object } : {}),
    ...(e.path ? { field: e.path } : {}),
    reason: e.kind,
    message: e.message,
  }));
}

type StatusLike = { code?: number; reason?: string; message?: string; details?: { kind?: string; name?: string; causes?: { field?: string; message?: string; reason?: string }[] } };
const statusOf = (err: unknown): StatusLike | undefined => {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'object' && s !== null && typeof (s as StatusLike).code === 'number' ? (s as StatusLike) : undefined;
};

/** The entries of `{"errors": [...]}` for anything a command can throw. */
export function toJsonErrors(err: unknown): JsonError[] {
  if (err instanceof UsageError && err.details) return err.details;
  if (err instanceof ManifestError) {
    const { source, reason, line, column, hint } = err;
    return [{ source, message: reason, ...(line !== undefined ? { line, column } : {}), ...(hint ? { hint } : {}) }];
  }
  const status = statusOf(err);
  if (status) {
    const d = status.details;
    const object = d?.kind && d.name ? `${d.kind} ${d.name}` : undefined;
    if (status.reason === 'Invalid' && d?.causes?.length) {
      return d.causes.map((c) => ({ ...(object ? { object } : {}), ...(c.field ? { field: c.field } : {}), reason: c.reason ?? 'Invalid', message: c.message ?? '', code: status.code }));
    }
    return [{ ...(object ? { object } : {}), reason: status.reason ?? 'Unknown', message: status.message ?? '', code: status.code }];
  }
  const message = (err as Error)?.message ?? String(err);
  return [{ message: message.replace(/^error: /, '') }];
}

/** `{"errors": [...]}`, or, when some objects were handled before something failed, a List with them and the errors. */
export function jsonErrorDocument(errors: JsonError[], items: object[] = []): string {
  const doc = items.length ? { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' }, errors } : { errors };
  return `${JSON.stringify(doc, null, 4)}\n`;
}

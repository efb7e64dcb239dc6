// Errors as the API server reports them: a metav1.Status with a reason kubectl understands
// (NotFound, AlreadyExists, Invalid with details.causes, Forbidden, Unauthorized, ...).
import type { FieldError } from '../api/fieldErrors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

export const notFound = (resource: string, name: string) => new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
export const alreadyExists = (resource: string, name: string) =>
  new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const methodNotAllowed = () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const routeNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
export const unsupportedMediaType = (type: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`);
export const conflict = (resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
export const expired = (message: string) => new ApiError(410, 'Expired', message);

const CAUSE_REASON: Record<FieldError['kind'], string> = {
  required: 'FieldValueRequired',
  invalid: 'FieldValueInvalid',
  duplicate: 'FieldValueDuplicate',
  unsupported: 'FieldValueNotSupported',
  notImplemented: 'FieldValueForbidden',
};

function causeReason(e: FieldError): string {
  if (e.message.startsWith('Forbidden')) return 'FieldValueForbidden';
  if (e.message.startsWith('Not found')) return 'FieldValueNotFound';
  return CAUSE_REASON[e.kind];
}

/** 422 Invalid: `Pod "x" is invalid: <path>: <message>` (several are listed in brackets), one cause each. */
export function invalid(kind: string, name: string, errors: readonly FieldError[]): ApiError {
  const lines = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    name,
    kind,
    causes: errors.map((e) => ({ reason: causeReason(e), message: e.message, field: e.path })),
  });
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
}

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

  /** Fields in metav1.Status's order, as the API server encodes it (details before code). */
  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

// The constructors below follow apimachinery's api/errors (NewNotFound, NewAlreadyExists,
// NewConflict, NewForbidden, NewInvalid, NewInternalError...) and its NewGenericServerResponse,
// which the API server's router uses for a path or method it has no route for. What clients read:
//   - `details` is there whenever the API server sends it, even as `{}` (its fields are omitempty):
//     kubectl 1.22+ `debug` reads `err.ErrStatus.Details.Name` of the 404 from pods/x/ephemeralcontainers
//     to tell "ephemeral containers are disabled" from a missing pod, and crashes on a nil Details;
//   - `details.kind` is the resource's plural for NotFound/AlreadyExists/Conflict/Forbidden
//     (`{name: "x", kind: "pods"}`), the Kind for Invalid (`{name: "x", kind: "Pod", causes}`), and
//     `group` is there for a resource of a named group only (metrics.k8s.io);
//   - BadRequest, Unauthorized, Expired, ServiceUnavailable and RequestEntityTooLarge have none.

/** A GroupResource as its String() prints it: "pods", "pods.metrics.k8s.io". */
function groupResource(qualified: string): { group?: string; kind: string } {
  const dot = qualified.indexOf('.');
  return dot < 0 ? { kind: qualified } : { group: qualified.slice(dot + 1), kind: qualified.slice(0, dot) };
}

/** The details of an error about one object: name first, as metav1.StatusDetails orders its fields. */
function objectDetails(resource: string, name: string): StatusDetails {
  return name ? { name, ...groupResource(resource) } : groupResource(resource);
}

/** `pods "x" not found` with `details: {name: "x", kind: "pods"}` (group for pods.metrics.k8s.io). */
export const notFound = (resource: string, name: string) => new ApiError(404, 'NotFound', `${resource} "${name}" not found`, objectDetails(resource, name));
export const alreadyExists = (resource: string, name: string) => new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, objectDetails(resource, name));
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
/** NewForbidden with no resource: `forbidden: <why>`, `details: {}`. */
export const forbidden = (why: string) => new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
/** NewForbidden of a resource: `pods "x" is forbidden: <why>` (no name: `pods is forbidden: ...`), details {name, group, kind}. */
export const forbiddenResource = (resource: string, name: string, why: string) =>
  new ApiError(403, 'Forbidden', `${resource}${name ? ` "${name}"` : ''} is forbidden: ${why}`, objectDetails(resource, name));
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
/** The router's answers for no such method or path: NewGenericServerResponse, so `details: {}`. */
export const methodNotAllowed = () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
export const routeNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
/** negotiation.NewUnsupportedMediaTypeError: the accepted types, no details. */
export const unsupportedMediaType = () =>
  new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json');
export const conflict = (resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, objectDetails(resource, name));
export const expired = (message: string) => new ApiError(410, 'Expired', message);
export const serviceUnavailable = (message: string) => new ApiError(503, 'ServiceUnavailable', message);
/** NewInternalError: `Internal error occurred: <err>`, the error also as the one cause. */
export const internalError = (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

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
  return internalError((err as Error)?.message ?? String(err));
}

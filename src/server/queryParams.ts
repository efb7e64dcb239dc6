// Typed query parameters, read as the API server reads them (Go's strconv.ParseBool for booleans):
// a value it could not parse is the request's 400, never a silent default.
import type { RequestContext } from './context.js';
import { badRequest } from './status.js';

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** `?name=true` and friends; absent (or empty) is false. */
export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null || v === '') return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw badRequest(`invalid value for query parameter ${name}: ${JSON.stringify(v.slice(0, 100))}: must be true or false`);
}

export const isWatch = (ctx: RequestContext): boolean => boolParam(ctx.query, 'watch');

/** A non-negative integer parameter (timeoutSeconds, ...), or undefined when absent. */
export function countParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`invalid value for query parameter ${name}: ${JSON.stringify(v.slice(0, 100))}: must be a non-negative integer`);
  return n;
}

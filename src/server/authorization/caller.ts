// Who sent a request, as the API server's authentication filter leaves it for the handlers
// (request.UserFrom): the socket or the admin token, a pod's service account, or nobody.
import type { IncomingMessage } from 'node:http';
import type { ServiceAccountUser } from '../serviceAccountTokens.js';

export type Caller = { kind: 'admin' } | { kind: 'serviceAccount'; user: ServiceAccountUser } | { kind: 'anonymous' };

const callers = new WeakMap<IncomingMessage, Caller>();

export function rememberCaller(req: IncomingMessage, caller: Caller): void {
  callers.set(req, caller);
}

/** The request's caller; a request the server did not authenticate (a test calling a handler) is the admin's. */
export function callerOf(req: IncomingMessage): Caller {
  return callers.get(req) ?? { kind: 'admin' };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { tableFor, type IncludeObject, type TableKind } from '../api/printers/tables.js';
import { ApiError, badRequest, type Status } from './status.js';
import type { RequestContext } from './context.js';
import { wantsPretty } from './queryParams.js';

/** A JSON reply; indented (as Go's json.MarshalIndent with two spaces) when the request asked `?pretty=true`. */
export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = wantsPretty(res.req) ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = err.code === 401 ? { 'WWW-Authenticate': 'Bearer realm="tinylet"' } : {};
  sendJson(res, err.code, err.toStatus() satisfies Status, headers);
}

/** An error before a WebSocket upgrade: a plain HTTP Status reply on the raw socket, then close. */
export function sendSocketError(socket: Duplex, err: ApiError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(err.toStatus());
  const reason = err.reason.replace(/[^\x20-\x7e]/g, '');
  socket.end(`HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get asks for v1 or v1beta1 tables). */
export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.some((p) => p === 'g=meta.k8s.io');
  });
}

export function tableVersion(req: IncomingMessage): string {
  const accept = req.headers.accept ?? '';
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('as=Table')) return params.find((p) => p.startsWith('v='))?.slice(2) ?? 'v1';
  }
  return 'v1';
}

export function includeObject(ctx: RequestContext): IncludeObject {
  const v = ctx.query.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Object' && v !== 'Metadata') throw badRequest(`unknown includeObject: ${v}`);
  return v;
}

/** A Table (v1 or v1beta1, as asked) for the given objects. */
export function asTable(ctx: RequestContext, kind: TableKind, objects: readonly object[], resourceVersion?: string): object {
  const table = tableFor(kind, objects, { now: Date.now(), includeObject: includeObject(ctx), resourceVersion });
  return tableVersion(ctx.req) === 'v1beta1' ? { ...table, apiVersion: 'meta.k8s.io/v1beta1' } : table;
}

/** Warnings as the API server sends them (`Warning: 299 - "text"`); kubectl prints them on stderr. */
export function warningHeaders(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

// POST /api/v1/namespaces/{ns}/pods/{name}/eviction: a policy/v1 (or v1beta1) Eviction, as JSON,
// YAML or the protobuf kubectl 1.32's drain sends; its DeleteOptions go to the pod's graceful
// delete. The rules are server/eviction/evict.ts; the reply to a granted eviction is the API
// server's `201 {kind: Status, status: Success}`.
import type { RequestContext } from '../context.js';
import { BareStatusError, EvictionRefused, evictPod, type EvictionOptions } from '../eviction/evict.js';
import { mediaType, readObject, readRawBody } from '../body.js';
import { decodeProtobufObject, PROTOBUF } from '../registry/protobuf.js';
import { sendJson } from '../respond.js';
import { ApiError, badRequest, internalError } from '../status.js';

const VERSIONS = ['policy/v1', 'policy/v1beta1'];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readEviction(ctx: RequestContext): Promise<unknown> {
  if (mediaType(ctx.req) !== PROTOBUF) return readObject(ctx.req);
  const raw = await readRawBody(ctx.req);
  const v1 = decodeProtobufObject(raw, 'policy', 'v1', 'Eviction');
  return v1?.apiVersion === 'policy/v1beta1' ? decodeProtobufObject(raw, 'policy', 'v1beta1', 'Eviction') : v1;
}

/** The Eviction's DeleteOptions and the request's dryRun, as propagateDryRun merges them. */
export function evictionOptions(body: Record<string, any>, query: URLSearchParams): EvictionOptions {
  const opts: unknown = body.deleteOptions;
  if (opts !== undefined && opts !== null && !isObject(opts)) throw badRequest('deleteOptions: must be an object');
  const o: Record<string, any> = isObject(opts) ? opts : {};
  const queryDry = query.getAll('dryRun');
  const bodyDry: unknown = o.dryRun;
  if (bodyDry !== undefined && bodyDry !== null && !(Array.isArray(bodyDry) && bodyDry.every((d) => typeof d === 'string'))) throw badRequest('deleteOptions.dryRun: must be a list of strings');
  const dry = Array.isArray(bodyDry) && bodyDry.length > 0 ? (bodyDry as string[]) : queryDry;
  if (Array.isArray(bodyDry) && bodyDry.length > 0 && queryDry.length > 0 && JSON.stringify(bodyDry) !== JSON.stringify(queryDry)) {
    throw internalError(`Non-matching dry-run options in request and content: [${queryDry.join(' ')}] and [${bodyDry.join(' ')}]`);
  }
  if (o.preconditions !== undefined && o.preconditions !== null && !isObject(o.preconditions)) throw badRequest('deleteOptions.preconditions: must be an object');
  const out: EvictionOptions = { dryRun: dry.includes('All'), ...(isObject(o.preconditions) ? { preconditions: o.preconditions } : {}) };
  const grace: unknown = o.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (!Number.isInteger(grace)) throw badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
    // As any graceful delete: a negative grace period is the shortest graceful one.
    out.gracePeriodSeconds = (grace as number) < 0 ? 1 : (grace as number);
  }
  return out;
}

export async function podEviction(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const body = await readEviction(ctx);
  if (!isObject(body)) throw badRequest('the body of the request must be an Eviction object');
  if (body.kind !== undefined && body.kind !== 'Eviction') throw badRequest(`not a Eviction object: ${JSON.stringify(body.kind)}`);
  if (body.apiVersion !== undefined && !VERSIONS.includes(body.apiVersion)) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (policy/v1)`);
  const meta: Record<string, any> = isObject(body.metadata) ? body.metadata : {};
  if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  try {
    evictPod(ctx.services, namespace, name, evictionOptions(body, ctx.query));
  } catch (err) {
    // A budget not computed yet: the Retry-After client-go waits for before it asks again.
    if (err instanceof EvictionRefused && err.retryAfterSeconds > 0) return sendJson(ctx.res, 429, err.toStatus(), { 'Retry-After': String(err.retryAfterSeconds) });
    // The API's answer, not a failure of the agent's: not logged as one.
    if (err instanceof BareStatusError) return sendJson(ctx.res, err.code, err.toStatus());
    throw err instanceof ApiError ? err : internalError((err as Error)?.message ?? String(err));
  }
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

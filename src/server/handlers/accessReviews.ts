// authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview (create only): what
// `kubectl auth can-i VERB RESOURCE` and `kubectl auth can-i --list` ask. Like the API server
// (pkg/registry/authorization/selfsubject*review), nothing is stored: the answer is the object
// sent, with the caller's status (authorization/authorizer.ts).
import { invalid as fieldInvalid, required } from '../../api/fieldErrors.js';
import { authorizeNonResource, authorizeResource, rulesFor, type NonResourceAttributes, type ResourceAttributes } from '../authorization/authorizer.js';
import { callerOf } from '../authorization/caller.js';
import { mediaType, readObject, readRawBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { decodeProtobufObject, PROTOBUF } from '../registry/protobuf.js';
import { sendJson } from '../respond.js';
import { badRequest, invalid, methodNotAllowed, routeNotFound } from '../status.js';

export const AUTHORIZATION_GROUP = {
  name: 'authorization.k8s.io',
  versions: [{ groupVersion: 'authorization.k8s.io/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'authorization.k8s.io/v1', version: 'v1' },
};

export const AUTHORIZATION_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'authorization.k8s.io/v1',
  resources: [
    { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
    { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
  ],
};

const KINDS: Record<string, string> = { selfsubjectaccessreviews: 'SelfSubjectAccessReview', selfsubjectrulesreviews: 'SelfSubjectRulesReview' };

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readReview(ctx: RequestContext, kind: string): Promise<Record<string, any>> {
  const body = mediaType(ctx.req) === PROTOBUF ? decodeProtobufObject(await readRawBody(ctx.req), 'authorization.k8s.io', 'v1', kind) : await readObject(ctx.req);
  if (!isObject(body)) throw badRequest(`the body of the request must be a ${kind} object`);
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the kind of the object in the body (${JSON.stringify(body.kind)}) is not ${kind}`);
  return body;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** POST /apis/authorization.k8s.io/v1/<resource>; a 404 for anything else below the group version. */
export async function serveAccessReview(ctx: RequestContext, resource: string, rest: string[]): Promise<void> {
  const kind = KINDS[resource];
  if (!kind || rest.length > 0) throw routeNotFound();
  if (ctx.method !== 'POST') throw methodNotAllowed();
  const body = await readReview(ctx, kind);
  const spec: Record<string, any> = isObject(body.spec) ? body.spec : {};
  const caller = callerOf(ctx.req);
  const metadata = { ...(isObject(body.metadata) ? body.metadata : {}), creationTimestamp: null };
  if (kind === 'SelfSubjectRulesReview') {
    const namespace = str(spec.namespace) ?? '';
    const rules = rulesFor(caller, namespace);
    sendJson(ctx.res, 201, { kind, apiVersion: 'authorization.k8s.io/v1', metadata, spec, status: { ...rules, incomplete: false } });
    return;
  }
  const ra = isObject(spec.resourceAttributes) ? (spec.resourceAttributes as ResourceAttributes) : undefined;
  const na = isObject(spec.nonResourceAttributes) ? (spec.nonResourceAttributes as NonResourceAttributes) : undefined;
  if (!ra === !na) {
    const err = ra ? fieldInvalid('spec.resourceAttributes', 'resourceAttributes', 'cannot be specified in combination with nonResourceAttributes') : required('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
    throw invalid(kind, '', [err]);
  }
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string')) as T;
  const decision = ra ? authorizeResource(caller, clean(ra)) : authorizeNonResource(caller, clean(na!));
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  sendJson(ctx.res, 201, { kind, apiVersion: 'authorization.k8s.io/v1', metadata, spec, status });
}

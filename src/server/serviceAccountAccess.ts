// What a service account token may do on the TCP listeners: what RBAC's bootstrap policy gives every
// authenticated user and nothing more, as for a pod's `default` service account in a cluster with
// no binding of its own: the system:discovery and system:public-info-viewer paths (/api, /apis,
// /version, /openapi, /healthz...) and system:basic-user's self reviews (`kubectl auth can-i`
// answers, and says no). tinylet serves no RBAC objects (Roles, RoleBindings), so no binding can
// give a service account more. Anything else is the 403 the API server's authorization filter
// writes (endpoints/handlers/responsewriters ForbiddenStatusError), with RBAC's message.
import { parseResourcePath } from './router.js';
import { decodeSegments } from './requestTarget.js';
import type { ServiceAccountUser } from './serviceAccountTokens.js';
import { forbidden, forbiddenResource } from './status.js';

const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

/**
 * The nonResourceURLs of system:discovery and system:public-info-viewer, as RBAC lists them (a
 * trailing `*` matches any path below).
 */
export const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const EXACT = new Set(DISCOVERY_URLS.filter((u) => !u.endsWith('*')));

/** Non-resource paths anyone authenticated may GET (`path` without its trailing slash). */
const isDiscoveryPath = (path: string, segs: string[]): boolean =>
  EXACT.has(path) ||
  path.startsWith('/openapi/') ||
  (segs[0] === 'api' && segs.length <= 2) ||
  (segs[0] === 'apis' && segs.length <= 3);

/** The request as the API server's RequestInfo sees it: a resource request, or a path. */
export interface Attributes {
  verb: string;
  path: string;
  resource?: { group: string; namespace?: string; resource: string; subresource?: string; name?: string };
}

/** strconv.ParseBool's true spellings: the `watch` parameter turns a GET into a watch. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

function attributes(method: string, pathname: string, query: URLSearchParams): Attributes {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const segs = decodeSegments(path);
  // GET /tinylet/v1/namespaces/{ns}/pods/{name}/timeline reads a pod: authorised as `get pods`.
  if (segs[0] === 'tinylet' && segs[1] === 'v1' && segs[2] === 'namespaces' && segs[4] === 'pods' && segs[6] === 'timeline' && segs.length === 7) {
    return { verb: method === 'GET' ? 'get' : method.toLowerCase(), path, resource: { group: '', namespace: segs[3], resource: 'pods', name: segs[5] } };
  }
  const prefix = segs[0] === 'api' ? 2 : segs[0] === 'apis' ? 3 : 0;
  const p = prefix && segs.length > prefix ? parseResourcePath(segs.slice(prefix)) : undefined;
  if (!p) return { verb: method.toLowerCase(), path };
  // GET /namespaces/x is a request in namespace x (RequestInfo sets it so), for RBAC as here.
  const namespace = p.namespace ?? (p.resource === 'namespaces' ? p.name : undefined);
  const watch = TRUE.has(query.get('watch') ?? '');
  const verbs: Record<string, string> = {
    GET: watch ? 'watch' : p.name ? 'get' : 'list',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: p.name ? 'delete' : 'deletecollection',
  };
  const group = prefix === 2 ? '' : segs[1]!;
  // A create names no object (the name is in the body): the message names none either.
  const name = method === 'POST' && !p.subresource ? undefined : p.name;
  return { verb: verbs[method] ?? method.toLowerCase(), path, resource: { group, namespace, resource: p.resource, subresource: p.subresource, name } };
}

/** Whether the service account may make the request (also SelfSubjectAccessReview's answer, authorization/authorizer.ts). */
export function serviceAccountAllows(user: ServiceAccountUser, a: Attributes): boolean {
  const r = a.resource;
  if (!r) return a.verb === 'get' && isDiscoveryPath(a.path, decodeSegments(a.path));
  // system:basic-user: anyone authenticated may ask what it may do (kubectl auth can-i).
  return r.group === 'authorization.k8s.io' && SELF_REVIEWS.has(r.resource) && !r.subresource && a.verb === 'create';
}

/** The 403 for a request RBAC would refuse: `pods is forbidden: User "..." cannot list resource ...`. */
function denial(user: ServiceAccountUser, a: Attributes) {
  const r = a.resource;
  if (!r) return forbidden(`User "${user.username}" cannot ${a.verb} path "${a.path}"`);
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  return forbiddenResource(qualified, r.name ?? '', `User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${r.group}" ${scope}`);
}

/** Throws the 403 unless the service account may make this request. */
export function authorizeServiceAccount(user: ServiceAccountUser, method: string, pathname: string, query: URLSearchParams): void {
  const a = attributes(method, pathname, query);
  if (!serviceAccountAllows(user, a)) throw denial(user, a);
}

/** The 403 for a WebSocket upgrade (exec): admin-only, whatever the path. */
export function upgradeDenied(user: ServiceAccountUser, method: string, pathname: string, query: URLSearchParams) {
  return denial(user, attributes(method, pathname, query));
}

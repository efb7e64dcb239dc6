// What a service account token may do on the TCP listener: read-only, in its own namespace, never
// Secrets. This is roughly Kubernetes' `view` ClusterRole bound in the pod's namespace, plus the
// system:discovery paths every authenticated user gets; anything else is the 403 the API server's
// authorization filter writes (endpoints/handlers/responsewriters ForbiddenStatusError), so clients
// see the message they would see from RBAC.
import { parseResourcePath } from './router.js';
import { decodeSegments } from './requestTarget.js';
import type { ServiceAccountUser } from './serviceAccountTokens.js';
import { forbidden, forbiddenResource } from './status.js';

/** Readable resources of the pod's namespace, as `<group>/<resource>[/<subresource>]`. */
const READABLE = new Set(['/pods', '/pods/log', '/services', '/endpoints', '/configmaps', '/events', 'discovery.k8s.io/endpointslices']);
const READ_VERBS = new Set(['get', 'list', 'watch']);
const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

/** Non-resource paths anyone authenticated may GET (the system:discovery ClusterRole). */
const isDiscoveryPath = (path: string, segs: string[]): boolean =>
  path === '/version' ||
  path === '/openapi' ||
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
  if (r.group === 'authorization.k8s.io' && SELF_REVIEWS.has(r.resource) && !r.subresource && a.verb === 'create') return true;
  if (!READ_VERBS.has(a.verb) || r.namespace !== user.namespace) return false;
  // Its own Namespace object (GET /api/v1/namespaces/<ns>), as the namespace is in its volume anyway.
  if (r.group === '' && r.resource === 'namespaces' && !r.subresource) return a.verb === 'get' && r.name === user.namespace;
  return READABLE.has(`${r.group}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}`);
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

// Answers "may this caller do that?" (SubjectAccessReview) and "what may it do here?"
// (SubjectRulesReview) with the rules the server enforces: the admin may do everything (it is
// system:masters); a service account what serviceAccountAccess.ts lets through, which this module
// lists as RBAC rules: roughly `view` in its namespace, system:discovery's paths, and
// system:basic-user's self reviews.
import { type Attributes, serviceAccountAllows } from '../serviceAccountAccess.js';
import type { Caller } from './caller.js';

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

const ADMIN_REASON = 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"';

export function authorizeResource(caller: Caller, r: ResourceAttributes): { allowed: boolean; reason?: string } {
  if (caller.kind === 'admin') return { allowed: true, reason: ADMIN_REASON };
  if (caller.kind !== 'serviceAccount') return { allowed: false };
  const resource = r.resource ?? '';
  // A request for /namespaces/<name> is in namespace <name> (RequestInfo): so is the question.
  const namespace = r.namespace || (resource === 'namespaces' && r.group === '' ? r.name : undefined) || undefined;
  const a: Attributes = { verb: r.verb ?? '', path: '', resource: { group: r.group ?? '', namespace, resource, subresource: r.subresource || undefined, name: r.name || undefined } };
  return { allowed: serviceAccountAllows(caller.user, a) };
}

export function authorizeNonResource(caller: Caller, n: NonResourceAttributes): { allowed: boolean; reason?: string } {
  if (caller.kind === 'admin') return { allowed: true, reason: ADMIN_REASON };
  if (caller.kind !== 'serviceAccount') return { allowed: false };
  return { allowed: serviceAccountAllows(caller.user, { verb: n.verb ?? '', path: n.path ?? '' }) };
}

const READ = ['get', 'list', 'watch'];

/** The rules of the caller in a namespace, as RBAC's rule resolver lists them. */
export function rulesFor(caller: Caller, namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[] } {
  if (caller.kind === 'admin') {
    return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
  }
  const resourceRules: ResourceRule[] = [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }];
  const nonResourceRules: NonResourceRule[] = [];
  if (caller.kind === 'serviceAccount') {
    const ns = caller.user.namespace;
    if (namespace === ns) {
      resourceRules.push(
        { verbs: READ, apiGroups: [''], resources: ['configmaps', 'endpoints', 'events', 'pods', 'pods/log', 'services'] },
        { verbs: READ, apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
        { verbs: ['get'], apiGroups: [''], resources: ['namespaces'], resourceNames: [ns] },
      );
    }
    nonResourceRules.push({ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version'] });
  }
  return { resourceRules, nonResourceRules };
}

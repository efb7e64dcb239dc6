// Answers "may this caller do that?" (SubjectAccessReview) and "what may it do here?"
// (SubjectRulesReview) with the rules the server enforces: the admin may do everything (it is
// system:masters); a service account what serviceAccountAccess.ts lets through, which this module
// lists as RBAC rules: those of RBAC's bootstrap roles for every authenticated user
// (system:basic-user's self reviews, system:discovery's and system:public-info-viewer's paths),
// as for a service account no binding names.
import { type Attributes, DISCOVERY_URLS, serviceAccountAllows } from '../serviceAccountAccess.js';
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

/** The rules of the caller in a namespace, as RBAC's rule resolver lists them. */
export function rulesFor(caller: Caller, _namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[] } {
  if (caller.kind === 'admin') {
    return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
  }
  const resourceRules: ResourceRule[] = [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }];
  const nonResourceRules: NonResourceRule[] = [];
  if (caller.kind === 'serviceAccount') nonResourceRules.push({ verbs: ['get'], nonResourceURLs: DISCOVERY_URLS });
  return { resourceRules, nonResourceRules };
}

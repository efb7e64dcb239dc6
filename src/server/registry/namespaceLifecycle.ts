// The API server's NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle): nothing
// is created in a namespace that does not exist (404 `namespaces "x" not found`) or that is being
// terminated (403, with the NamespaceTerminating cause), and the namespaces a cluster cannot live
// without are never deleted (403 `this namespace may not be deleted`). Updates and deletes of what
// is in a terminating namespace go on, as there.
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import { ApiError, forbiddenResource, notFound } from '../status.js';
import type { Strategy } from './strategy.js';

/** The plugin's immortal namespaces (kube-node-lease is not one: the agent makes it again, as the API server's bootstrap controller does). */
export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-public', 'kube-system'];

const groupResource = (s: Strategy) => (s.group ? `${s.resource}.${s.group}` : s.resource);

export const isTerminating = (ns: ApiObject | undefined): boolean => !!ns && ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating' || !!ns.metadata?.deletionTimestamp);

/** Throws the API error when `obj` (of a namespaced kind) may not be created in its namespace. */
export function admitCreate(s: Strategy, obj: ApiObject, store: ObjectStore): void {
  const namespace = obj.metadata?.namespace;
  if (!s.namespaced || !namespace) return; // no namespace: validation says so
  const ns = store.get('namespaces', undefined, namespace);
  if (!ns) throw notFound('namespaces', namespace);
  if (!isTerminating(ns)) return;
  const err = forbiddenResource(groupResource(s), obj.metadata?.name ?? '', `unable to create new content in namespace ${namespace} because it is being terminated`);
  const details = { ...err.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
  throw new ApiError(err.code, err.reason, err.message, details);
}

/** Throws the 403 for a delete of an immortal namespace. */
export function admitDelete(s: Strategy, obj: ApiObject): void {
  const name = obj.metadata?.name ?? '';
  if (s.group === '' && s.resource === 'namespaces' && IMMORTAL_NAMESPACES.includes(name)) throw forbiddenResource('namespaces', name, 'this namespace may not be deleted');
}

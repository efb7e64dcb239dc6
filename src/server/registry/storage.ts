// Where a kind's objects live, as the generic registry sees it (the API server's storage.Interface
// under registry.Store): list, get, a watch hub, and durable create, update and delete. Most kinds
// live in the object store (objectStoreStorage below); pods live in the kubelet (kinds/pods.ts).
// Every method that changes something is durable before it returns, or throws the API error.
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import { internalError, serviceUnavailable } from '../status.js';
import type { WatchHub } from '../watchHub.js';

/** DeleteOptions as the registry decoded them (body and query). */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
  /** Only for kinds with graceful deletion (Strategy.gracefulDelete). */
  gracePeriodSeconds?: number;
}

export interface ObjectStorage {
  /** The clock every kind shares: the list's resourceVersion. */
  readonly resourceVersion: string | undefined;
  readonly hub: WatchHub<ApiObject>;
  /** Sorted by namespace and name, as the API server lists from etcd. */
  list(namespace?: string): ApiObject[];
  get(namespace: string | undefined, name: string): ApiObject | undefined;
  /** Stores a new object (validated, with uid and creationTimestamp); returns it as stored. */
  create(obj: ApiObject): ApiObject;
  /** Stores `next` over `old` (the main resource, or only the status or ephemeralcontainers subresource's part). */
  update(next: ApiObject, old: ApiObject, part: UpdatePart): ApiObject;
  /**
   * Deletes the object (gracefully, for a kind that has a grace period); returns the object as the
   * reply shows it, or undefined when there was none to remove.
   */
  delete(obj: ApiObject, opts: DeleteOptions): ApiObject | undefined;
}

/** A store failure as the request's error: 503 once the agent is shutting down, 500 otherwise. */
export function storeFailure(err: unknown, what: string): Error {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ESHUTDOWN') return serviceUnavailable('the agent is shutting down: the change was not recorded');
  return internalError(`${what}: ${e?.message ?? String(err)}`);
}

/** The object store's objects of one resource. */
export function objectStoreStorage(store: ObjectStore, resource: string, kind: string, resourceVersion: () => string | undefined): ObjectStorage {
  const put = (obj: ApiObject): ApiObject => {
    try {
      return store.put(resource, obj);
    } catch (err) {
      throw storeFailure(err, `the ${kind} could not be stored`);
    }
  };
  return {
    get resourceVersion() {
      return resourceVersion();
    },
    get hub() {
      return store.hub(resource);
    },
    list: (namespace) => store.list(resource, namespace),
    get: (namespace, name) => store.get(resource, namespace, name),
    create: put,
    update: (next) => put(next),
    delete: (obj) => {
      try {
        return store.remove(resource, obj.metadata?.namespace, obj.metadata!.name!);
      } catch (err) {
        throw storeFailure(err, `the ${kind} could not be removed`);
      }
    },
  };
}

/** What an update writes: the object, or one of its subresources (a pod's spec.ephemeralContainers). */
export type UpdatePart = 'object' | 'status' | 'ephemeralcontainers';

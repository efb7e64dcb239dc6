// v1 Namespace (pkg/registry/core/namespace): cluster-scoped, defaulted as the API server does (the
// `kubernetes.io/metadata.name` label, spec.finalizers [kubernetes], status.phase Active), a status
// subresource, and a delete that only starts the termination: the object turns Terminating
// (deletionTimestamp, phase) and stays until the namespace controller (controllers/namespaces/) has
// emptied it and removes it. Which namespaces may not be deleted, and what may not be created in a
// missing or terminating one, is NamespaceLifecycle admission (../namespaceLifecycle.ts).
import { type FieldError, child, index, invalid, required } from '../../../api/fieldErrors.js';
import { namespaceFieldGetter } from '../../../api/selectors/fields.js';
import { isDNS1123Label, isQualifiedName } from '../../../api/names.js';
import { rfc3339 } from '../../../api/time.js';
import type { Namespace } from '../../../api/types.js';
import { validateObjectMeta } from '../../../api/validateMeta.js';
import type { ApiObject } from '../../../store/objectStore.js';
import { objectStoreStorage, storeFailure, type ObjectStorage } from '../storage.js';
import type { Strategy, StrategyContext } from '../strategy.js';

export const NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';
/** The namespaces every cluster has: created at agent start when missing. */
export const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;

const asNs = (o: ApiObject): Namespace => o as unknown as Namespace;

/** The name label is always the name (the API server sets it on every create and update). */
function withNameLabel(o: ApiObject): ApiObject {
  const name = o.metadata?.name;
  if (!name) return o;
  return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, [NAME_LABEL]: name } } };
}

function validateFinalizers(ns: Namespace): FieldError[] {
  const out: FieldError[] = [];
  const list: unknown = ns.spec?.finalizers;
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) return [invalid('spec.finalizers', list, 'must be a list of strings')];
  list.forEach((f, i) => {
    const path = index(child('spec', 'finalizers'), i);
    if (typeof f !== 'string' || f === '') out.push(required(path));
    else if (f !== KUBERNETES_FINALIZER) {
      const errs = isQualifiedName(f);
      for (const msg of errs) out.push(invalid(path, f, msg));
      if (errs.length === 0 && !f.includes('/')) out.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return out;
}

function validateNamespace(o: ApiObject): FieldError[] {
  // Cluster-scoped: no metadata.namespace; the name is a DNS-1123 label (ValidateNamespaceName).
  const meta = validateObjectMeta(o.metadata ?? {}, 'metadata', isDNS1123Label).filter((e) => e.path !== 'metadata.namespace');
  return [...meta, ...validateFinalizers(asNs(o))];
}

/** The namespaces' storage: the object store, with the API server's two-step delete. */
function namespaceStorage(ctx: StrategyContext): ObjectStorage {
  const base = objectStoreStorage(ctx.store, 'namespaces', 'Namespace', () => ctx.services?.kubelet.resourceVersion);
  return {
    ...base,
    get resourceVersion() {
      return base.resourceVersion;
    },
    get hub() {
      return base.hub;
    },
    delete: (obj) => {
      const ns = asNs(obj);
      // The first delete starts the termination; the controller removes the object once it is empty.
      if (!ns.metadata?.deletionTimestamp || ns.status?.phase !== 'Terminating') return startTermination(ctx, obj);
      if ((ns.spec?.finalizers ?? []).length > 0) return obj;
      return base.delete(obj, { dryRun: false });
    },
  };
}

/** deletionTimestamp and phase Terminating, durably; the namespace as the reply shows it. */
export function startTermination(ctx: Pick<StrategyContext, 'store'>, obj: ApiObject): ApiObject {
  const meta = obj.metadata ?? {};
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const next: ApiObject = {
    ...obj,
    metadata: { ...meta, deletionTimestamp: meta.deletionTimestamp ?? rfc3339(new Date()) },
    status: { ...status, phase: 'Terminating' },
  };
  try {
    return ctx.store.put('namespaces', next);
  } catch (err) {
    throw storeFailure(err, 'the Namespace could not be stored');
  }
}

export const namespaceStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  tableKind: 'Namespace',
  fieldGetter: namespaceFieldGetter as unknown as Strategy['fieldGetter'],
  hasStatus: true,
  storage: namespaceStorage,

  prepareForCreate: (o) => {
    const ns = withNameLabel(o);
    const spec = (ns.spec ?? {}) as Record<string, unknown>;
    // The API server's PrepareForCreate: the kubernetes finalizer, whatever was sent; phase Active.
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    return { ...ns, spec: { ...spec, finalizers: finalizers.includes(KUBERNETES_FINALIZER) ? finalizers : [...finalizers, KUBERNETES_FINALIZER] }, status: { phase: 'Active' } };
  },
  validate: validateNamespace,
  /** The spec (finalizers) changes only through namespaces/finalize; deletion fields stay the stored ones. */
  prepareForUpdate: (next, old) => {
    const om = old.metadata ?? {};
    const meta = { ...next.metadata, deletionTimestamp: om.deletionTimestamp, deletionGracePeriodSeconds: om.deletionGracePeriodSeconds };
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) if (meta[k] === undefined) delete meta[k];
    return withNameLabel({ ...next, metadata: meta, spec: old.spec });
  },
  prepareForStatusUpdate: (next, old) => {
    const status = (next.status ?? {}) as Record<string, unknown>;
    // A status update cannot end a termination (or start one): the phase follows deletionTimestamp.
    const phase = old.metadata?.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Active');
    return { ...old, status: { ...status, phase } };
  },
  validateStatusUpdate: (next) => {
    const phase = asNs(next).status?.phase;
    return phase === 'Active' || phase === 'Terminating' ? [] : [invalid('status.phase', phase, 'must be Active or Terminating')];
  },
};

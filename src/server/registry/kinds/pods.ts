// v1 Pod. What a pod adds to the generic registry: defaulting and validation (validate.ts, with
// tinylet's `lenient` parameter and this node as the only nodeName), what an update may change
// (validatePodUpdate.ts) and when it changes nothing (podUnchanged.ts), a status subresource that
// takes the readiness-gate conditions, graceful deletion, and a storage backend that is the
// kubelet: its pod workers hold the objects, and the pod store file is written (commitPod) before
// a change is acknowledged.
import { defaultPod } from '../../../api/defaults.js';
import { formatFieldErrors, invalid as invalidField } from '../../../api/fieldErrors.js';
import { podFieldGetter } from '../../../api/selectors/fields.js';
import type { Pod } from '../../../api/types.js';
import { validatePod } from '../../../api/validate.js';
import { validatePodUpdate } from '../../../api/validatePodUpdate.js';
import { validateEphemeralContainersUpdate } from '../../../api/validateEphemeralContainers.js';
import { AlreadyExistsError, type Kubelet } from '../../../kubelet/kubelet.js';
import { schedule } from '../../../scheduler/fit.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { setGateConditions } from '../../../kubelet/podUpdate.js';
import type { ApiObject } from '../../../store/objectStore.js';
import type { ApiServices } from '../../context.js';
import { commitPod } from '../../handlers/durable.js';
import { gateConditionsUnchanged, podUnchanged } from '../../handlers/podUnchanged.js';
import { isObject } from '../../handlers/typed.js';
import { boolParam } from '../../queryParams.js';
import { podMergeKeys } from '../../patch/strategicMerge.js';
import { alreadyExists, badRequest } from '../../status.js';
import type { WatchHub } from '../../watchHub.js';
import type { ObjectStorage } from '../storage.js';
import type { Strategy, StrategyContext } from '../strategy.js';
import { byCodeUnit } from '../../../api/stringOrder.js';

type Conditions = NonNullable<Pod['status']>['conditions'];

const asPod = (o: ApiObject): Pod => o as unknown as Pod;
const asObject = (p: Pod): ApiObject => p as unknown as ApiObject;

/** The kubelet's pods of one namespace (or all), sorted by namespace and name. */
export function kubeletPods(kubelet: Kubelet, namespace: string | undefined): Pod[] {
  return kubelet
    .listPods()
    .filter((p) => !namespace || p.metadata?.namespace === namespace)
    .sort((a, b) => byCodeUnit(`${a.metadata!.namespace}/${a.metadata!.name}`, `${b.metadata!.namespace}/${b.metadata!.name}`));
}

/** The kubelet as the pods' storage: every change is on disk (commitPod) before it returns. */
export function kubeletPodStorage(services: ApiServices): ObjectStorage {
  const { kubelet } = services;
  const ctx = { services };
  return {
    get resourceVersion() {
      return kubelet.resourceVersion;
    },
    hub: services.pods as unknown as WatchHub<ApiObject>,
    list: (namespace) => kubeletPods(kubelet, namespace).map(asObject),
    get: (namespace, name) => {
      const pod = namespace === undefined ? undefined : kubelet.getPod(namespace, name);
      return pod && asObject(pod);
    },
    create: (obj) => {
      let created: Pod;
      try {
        created = kubelet.createPod(asPod(obj));
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw alreadyExists('pods', obj.metadata?.name ?? '');
        throw err;
      }
      const { namespace, name } = created.metadata as { namespace: string; name: string };
      try {
        commitPod(ctx, namespace, name);
      } catch (err) {
        // Not on disk, so not created: the next agent would not know it. It goes again, and the client is told.
        kubelet.deletePod(namespace, name, { gracePeriodSeconds: 0, force: true });
        throw err;
      }
      return asObject(created);
    },
    update: (next, old, part) => {
      const { namespace, name } = old.metadata as { namespace: string; name: string };
      let updated: Pod | undefined;
      if (part === 'status') {
        const worker = kubelet.getWorker(namespace, name);
        if (worker) setGateConditions(worker, asPod(next).status?.conditions);
      } else if (part === 'ephemeralcontainers') {
        // The kubelet starts the new ones in the running sandbox (kubelet/ephemeralContainers.ts).
        kubelet.getWorker(namespace, name)?.addEphemeralContainers(asPod(next).spec?.ephemeralContainers ?? []);
      } else {
        updated = kubelet.updatePod(namespace, name, asPod(next));
      }
      commitPod(ctx, namespace, name);
      return asObject((part !== 'object' ? kubelet.getPod(namespace, name) : updated) ?? asPod(old));
    },
    delete: (obj, opts) => {
      const { namespace, name } = obj.metadata as { namespace: string; name: string };
      // A pod never bound to a node, or one already Succeeded or Failed, goes at once whatever the
      // grace period (CheckGracefulDelete); the kubelet still cleans up after it.
      const phase = (obj.status as Pod['status'])?.phase;
      const terminal = phase === 'Succeeded' || phase === 'Failed';
      const grace = (obj.spec as Pod['spec'])?.nodeName && !terminal ? opts.gracePeriodSeconds : 0;
      const before = kubelet.deletePod(namespace, name, { gracePeriodSeconds: grace, force: grace === 0 });
      // On disk before the 200: the deletionTimestamp of a graceful delete, the file's removal for one
      // that is complete (forced, or a pod that had finished), so a restarted agent does not bring it back.
      commitPod(ctx, namespace, name);
      const now = kubelet.getPod(namespace, name) ?? before;
      return now ? asObject(now) : obj;
    },
  };
}

/** Whether the scheduler would bind the pod now: yes without a Node object (nothing to check), or when it fits. */
function fitsOnCreate(pod: Pod, ctx: StrategyContext): boolean {
  const tolerations: unknown = pod.spec?.tolerations;
  // An invalid list is refused by validation: no fit to compute.
  if (tolerations !== undefined && !(Array.isArray(tolerations) && tolerations.every(isObject))) return true;
  const nodes = ctx.store.list('nodes') as unknown as Node[];
  return nodes.length === 0 || 'node' in schedule(pod, nodes, ctx.services?.kubelet.listPods() ?? []);
}

function servicesOf(ctx: StrategyContext): ApiServices {
  if (!ctx.services) throw new Error('pods are kept by the kubelet: a pod change needs the API services');
  return ctx.services;
}

export const podStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  tableKind: 'Pod',
  fieldGetter: podFieldGetter as unknown as Strategy['fieldGetter'],
  mergeKeys: podMergeKeys,
  hasStatus: true,
  gracefulDelete: true,
  storage: (ctx) => kubeletPodStorage(servicesOf(ctx)),

  prepareForCreate: (o, ctx) => {
    const pod = defaultPod(asPod(o));
    // This node is the only one: a pod is bound to it when created (unless it names another, refused below).
    // The scheduler's first attempt (src/scheduler): a pod that does not fit (a cordoned node, an
    // untolerated taint) stays unbound and Pending, and the scheduler tries it again.
    const spec: unknown = pod.spec;
    if (isObject(spec) && !spec.nodeName && fitsOnCreate(pod, ctx)) spec.nodeName = ctx.config.nodeName;
    return asObject(pod);
  },
  /** The binding to this node is the scheduler's, not the creator's: no manager owns spec.nodeName it did not send. */
  clientView: (created, input) => {
    const spec: unknown = created.spec;
    const sent: unknown = input.spec;
    if (!isObject(spec) || (isObject(sent) && sent.nodeName)) return created;
    const { nodeName: _bound, ...rest } = spec;
    return { ...created, spec: rest };
  },
  validate: (o, ctx) => {
    const pod = asPod(o);
    // tinylet's own parameter, read like every boolean the API server takes (lenient=True is true).
    const result = validatePod(pod, { lenient: ctx.query ? boolParam(ctx.query, 'lenient') : false });
    const spec: unknown = pod.spec;
    const nodeName = ctx.config.nodeName;
    if (isObject(spec) && spec.nodeName && spec.nodeName !== nodeName) result.errors.push(invalidField('spec.nodeName', spec.nodeName, `this node is "${nodeName}"`));
    if (result.errors.length === 0) ctx.warn?.(formatFieldErrors(result.warnings));
    return result.errors;
  },

  /** The update as the kubelet would keep it: system metadata of the stored pod, defaults applied. */
  prepareForUpdate: (next, old) => {
    const om = old.metadata ?? {};
    return asObject(
      defaultPod(asPod({ ...next, metadata: { ...next.metadata, deletionTimestamp: om.deletionTimestamp, deletionGracePeriodSeconds: om.deletionGracePeriodSeconds } })),
    );
  },
  validateUpdate: (next, old) => validatePodUpdate(asPod(next), asPod(old)),
  /** pods/ephemeralcontainers (the API server's EphemeralContainersStrategy): only spec.ephemeralContainers changes. */
  ephemeralContainers: {
    prepare: (next, old) => {
      const spec: unknown = next.spec;
      const list: unknown = isObject(spec) ? spec.ephemeralContainers : undefined;
      return asObject(defaultPod(asPod({ ...old, spec: { ...(old.spec as object), ephemeralContainers: list ?? undefined } })));
    },
    validate: (next, old) => validateEphemeralContainersUpdate(asPod(next), asPod(old)),
  },
  validateUpdateOnly: true,

  /** pods/status takes the readiness-gate conditions (the kubelet owns the rest of the status). */
  prepareForStatusUpdate: (next) => {
    const status: unknown = next.status;
    if (status !== undefined && status !== null && !isObject(status)) throw badRequest('status: must be an object');
    const conditions: unknown = isObject(status) ? status.conditions : undefined;
    if (conditions !== undefined && conditions !== null && !(Array.isArray(conditions) && conditions.every(isObject))) throw badRequest('status.conditions: must be a list of objects');
    return next;
  },
  validateStatusUpdate: () => [],

  unchanged: (next, old, part) =>
    part === 'status' ? gateConditionsUnchanged(asPod(old), (asPod(next).status?.conditions ?? undefined) as Conditions) : podUnchanged(asPod(next), asPod(old)),
};

// PUT and PATCH on a pod and on pods/status. Patches are applied here to the stored object; what may
// change is decided by validatePodUpdate, and the kubelet applies it (restarting a re-imaged container).
import { defaultPod } from '../../api/defaults.js';
import type { Pod } from '../../api/types.js';
import { validatePodUpdate } from '../../api/validatePodUpdate.js';
import { setGateConditions } from '../../kubelet/podUpdate.js';
import { mediaType, readObject } from '../body.js';
import type { RequestContext } from '../context.js';
import { jsonMergePatch } from '../patch/jsonMerge.js';
import { jsonPatch } from '../patch/jsonPatch.js';
import { PatchError, strategicMergePatch } from '../patch/strategicMerge.js';
import { sendJson } from '../respond.js';
import { badRequest, conflict, invalid, unsupportedMediaType } from '../status.js';
import { commitPod } from './durable.js';
import { findPod } from './podsRead.js';
import { gateConditionsUnchanged, podUnchanged } from './podUnchanged.js';
import { isObject, typedPod } from './typed.js';

function applyPatch(ctx: RequestContext, old: Pod, patch: unknown): Pod {
  const type = mediaType(ctx.req);
  const base = structuredClone(typedPod(old));
  try {
    if (type === 'application/merge-patch+json') return jsonMergePatch(base, patch) as Pod;
    if (type === 'application/strategic-merge-patch+json') return strategicMergePatch(base, patch) as Pod;
    if (type === 'application/json-patch+json') return jsonPatch(base, patch) as Pod;
  } catch (err) {
    if (err instanceof PatchError) throw badRequest(err.message);
    throw err;
  }
  throw unsupportedMediaType();
}

function checkIdentity(next: Pod, old: Pod, name: string, namespace: string): void {
  const meta = next.metadata ?? {};
  if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (meta.resourceVersion && meta.resourceVersion !== old.metadata?.resourceVersion) throw conflict('pods', name);
}

/** The update as the store would keep it: system metadata from the stored object, status untouched. */
function normalized(next: Pod, old: Pod): Pod {
  const om = old.metadata!;
  return defaultPod({
    ...next,
    metadata: {
      ...next.metadata,
      name: om.name,
      namespace: om.namespace,
      uid: next.metadata?.uid ?? om.uid,
      creationTimestamp: om.creationTimestamp,
      resourceVersion: om.resourceVersion,
      deletionTimestamp: om.deletionTimestamp,
      deletionGracePeriodSeconds: om.deletionGracePeriodSeconds,
    },
    status: old.status,
  });
}

function commit(ctx: RequestContext, old: Pod, next: Pod): void {
  const pod = normalized(next, old);
  const errors = validatePodUpdate(pod, old);
  if (errors.length > 0) throw invalid('Pod', old.metadata!.name!, errors);
  if (ctx.query.get('dryRun') === 'All') return sendJson(ctx.res, 200, typedPod(pod));
  // A no-op (the same labels patched in again, a PUT of what a GET returned): nothing is applied,
  // stored or announced, and the reply is the pod as a GET returns it ("patched (no change)").
  if (podUnchanged(pod, old)) return sendJson(ctx.res, 200, typedPod(old));
  const updated = ctx.services.kubelet.updatePod(old.metadata!.namespace!, old.metadata!.name!, pod) ?? old;
  commitPod(ctx, old.metadata!.namespace!, old.metadata!.name!);
  sendJson(ctx.res, 200, typedPod(updated));
}

export async function replacePod(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const body = await readObject(ctx.req);
  if (!isObject(body)) throw badRequest('the body of the request must be a Pod object');
  const old = findPod(ctx, namespace, name);
  checkIdentity(body as Pod, old, name, namespace);
  commit(ctx, old, body as Pod);
}

export async function patchPod(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const patch = await readObject(ctx.req);
  const old = findPod(ctx, namespace, name);
  const next = applyPatch(ctx, old, patch);
  if (!isObject(next)) throw badRequest('the patched object is not a Pod object');
  checkIdentity(next, old, name, namespace);
  commit(ctx, old, next);
}

/** PUT/PATCH pods/{name}/status: readiness-gate conditions only. */
export async function updatePodStatus(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const body = await readObject(ctx.req);
  const old = findPod(ctx, namespace, name);
  const next = ctx.method === 'PATCH' ? applyPatch(ctx, old, body) : (body as Pod);
  if (!isObject(next)) throw badRequest('the body of the request must be a Pod object');
  checkIdentity(next, old, name, namespace);
  const status: unknown = next.status;
  if (status !== undefined && status !== null && !isObject(status)) throw badRequest('status: must be an object');
  const conditions: unknown = isObject(status) ? status.conditions : undefined;
  if (conditions !== undefined && conditions !== null && !(Array.isArray(conditions) && conditions.every(isObject))) throw badRequest('status.conditions: must be a list of objects');
  const gated = (conditions ?? undefined) as NonNullable<Pod['status']>['conditions'];
  // Conditions as the pod has them already: no change, no new resourceVersion, nothing stored.
  if (gateConditionsUnchanged(old, gated)) return sendJson(ctx.res, 200, typedPod(old));
  const worker = ctx.services.kubelet.getWorker(namespace, name);
  if (worker) setGateConditions(worker, gated);
  commitPod(ctx, namespace, name);
  sendJson(ctx.res, 200, typedPod(ctx.services.kubelet.getPod(namespace, name) ?? old));
}

// DELETE on a pod (graceful, or immediate with gracePeriodSeconds=0) and on the collection.
import { podFieldGetter } from '../../api/selectors/fields.js';
import type { Pod } from '../../api/types.js';
import { readObject } from '../body.js';
import type { RequestContext } from '../context.js';
import { listOptions } from '../listOptions.js';
import { int64Param } from '../queryParams.js';
import { sendJson } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { badRequest, conflict } from '../status.js';
import { commitPod } from './durable.js';
import { findPod, podsIn } from './podsRead.js';
import { isObject, typedPod } from './typed.js';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readObject(ctx.req);
  const opts: DeleteOptions = isObject(body) ? (body as DeleteOptions) : {};
  if (opts.dryRun !== undefined && opts.dryRun !== null && !(Array.isArray(opts.dryRun) && opts.dryRun.every((d) => typeof d === 'string'))) throw badRequest('dryRun: must be a list of strings');
  if (opts.preconditions !== undefined && opts.preconditions !== null && !isObject(opts.preconditions)) throw badRequest('preconditions: must be an object');
  // The query's int64 as the parameter codec parses it: `gracePeriodSeconds=abc` is a 400.
  const q = int64Param(ctx.query, 'gracePeriodSeconds');
  if (opts.gracePeriodSeconds === undefined && q !== undefined) opts.gracePeriodSeconds = q;
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds !== null) {
    if (!Number.isInteger(opts.gracePeriodSeconds)) throw badRequest(`invalid gracePeriodSeconds: ${String(opts.gracePeriodSeconds)}`);
    // The API server turns a negative grace period into the shortest graceful one.
    if (opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  } else {
    delete opts.gracePeriodSeconds;
  }
  return opts;
}

function deleteOne(ctx: RequestContext, pod: Pod, opts: DeleteOptions): Pod {
  const meta = pod.metadata!;
  if (opts.preconditions?.uid && opts.preconditions.uid !== meta.uid) {
    throw conflict('pods', meta.name!, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${meta.uid}`);
  }
  if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== meta.resourceVersion) {
    throw conflict('pods', meta.name!, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
  }
  if (opts.dryRun?.includes('All') || ctx.query.get('dryRun') === 'All') return pod;
  const grace = opts.gracePeriodSeconds;
  const kubelet = ctx.services.kubelet;
  const before = kubelet.deletePod(meta.namespace!, meta.name!, { gracePeriodSeconds: grace, force: grace === 0 });
  // On disk before the 200: the deletionTimestamp of a graceful delete, the file's removal for one
  // that is complete (forced, or a pod that had finished), so a restarted agent does not bring it back.
  commitPod(ctx, meta.namespace!, meta.name!);
  return kubelet.getPod(meta.namespace!, meta.name!) ?? before ?? pod;
}

export async function deletePod(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const opts = await deleteOptions(ctx);
  const pod = findPod(ctx, namespace, name);
  sendJson(ctx.res, 200, typedPod(deleteOne(ctx, pod, opts)));
}

export async function deletePods(ctx: RequestContext, namespace: string): Promise<void> {
  const opts = await deleteOptions(ctx);
  listOptions(ctx); // a deletecollection takes ListOptions too: a bad one is a 400 before anything goes
  const matches = selectorFromQuery(ctx, podFieldGetter);
  const deleted = podsIn(ctx, namespace).filter(matches).map((p) => typedPod(deleteOne(ctx, p, opts)));
  sendJson(ctx.res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: ctx.services.kubelet.resourceVersion }, items: deleted });
}

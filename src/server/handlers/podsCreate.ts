// POST /api/v1/namespaces/{ns}/pods: default, validate (field errors become the 422's causes), run.
import { defaultPod } from '../../api/defaults.js';
import { formatFieldErrors, invalid as invalidField } from '../../api/fieldErrors.js';
import type { Pod } from '../../api/types.js';
import { validatePod } from '../../api/validate.js';
import { AlreadyExistsError } from '../../kubelet/kubelet.js';
import { readObject } from '../body.js';
import type { RequestContext } from '../context.js';
import { boolParam } from '../queryParams.js';
import { sendJson, warningHeaders } from '../respond.js';
import { alreadyExists, badRequest, invalid } from '../status.js';
import { commitPod } from './durable.js';
import { isObject, typedPod } from './typed.js';

const SYSTEM_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields', 'selfLink'];

/** The object a client sent, made ready for defaulting: namespace from the URL, system fields dropped. */
export function podForCreate(body: unknown, namespace: string): Pod {
  if (!isObject(body)) throw badRequest('the body of the request must be a Pod object');
  if (body.kind !== undefined && body.kind !== 'Pod') throw badRequest(`the kind of the object in the body (${JSON.stringify(body.kind)}) is not Pod`);
  const meta = isObject(body.metadata) ? { ...body.metadata } : {};
  if (meta.namespace && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  for (const f of SYSTEM_FIELDS) delete meta[f];
  const { status: _status, ...rest } = body;
  return { apiVersion: 'v1', kind: 'Pod', ...rest, metadata: { ...meta, namespace } } as Pod;
}

export async function createPod(ctx: RequestContext, namespace: string): Promise<void> {
  // tinylet's own parameter, read like every boolean the API server takes (lenient=True is true).
  const lenient = boolParam(ctx.query, 'lenient');
  const pod = defaultPod(podForCreate(await readObject(ctx.req), namespace));
  const nodeName = ctx.services.config.nodeName;
  const result = validatePod(pod, { lenient });
  const spec = pod.spec;
  if (spec && typeof spec === 'object') {
    if (spec.nodeName && spec.nodeName !== nodeName) result.errors.push(invalidField('spec.nodeName', spec.nodeName, `this node is "${nodeName}"`));
    else spec.nodeName = nodeName;
  }
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  if (result.errors.length > 0) throw invalid('Pod', name, result.errors);
  warningHeaders(ctx.res, formatFieldErrors(result.warnings));
  if (ctx.query.get('dryRun') === 'All') return sendJson(ctx.res, 201, typedPod(pod));
  let created: Pod;
  try {
    created = ctx.services.kubelet.createPod(pod);
  } catch (err) {
    if (err instanceof AlreadyExistsError) throw alreadyExists('pods', name);
    throw err;
  }
  const { namespace: ns, name: podName } = created.metadata as { namespace: string; name: string };
  try {
    commitPod(ctx, ns, podName);
  } catch (err) {
    // Not on disk, so not created: the next agent would not know it. It goes again, and the client is told.
    ctx.services.kubelet.deletePod(ns, podName, { gracePeriodSeconds: 0, force: true });
    throw err;
  }
  sendJson(ctx.res, 201, typedPod(created));
}

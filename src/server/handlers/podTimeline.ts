// GET /tinylet/v1/namespaces/{ns}/pods/{name}/timeline: the kubelet's own record of the pod
// (TimelineRecord JSON, src/timeline/record.ts) for `tinylet timeline`. Authorised as `get pods`
// (serviceAccountAccess.ts); a pod the kubelet no longer runs has no record: 404, and the CLI falls
// back to the pod's events.
import type { RequestContext } from '../context.js';
import { sendJson } from '../respond.js';
import { notFound } from '../status.js';

export function podTimeline(ctx: RequestContext, namespace: string, name: string): void {
  const pod = ctx.services.kubelet.getPod(namespace, name);
  const record = pod ? ctx.services.kubelet.timelines.record(namespace, name) : undefined;
  if (!record || record.pod.uid !== pod?.metadata?.uid) throw notFound('pods', name);
  sendJson(ctx.res, 200, record);
}

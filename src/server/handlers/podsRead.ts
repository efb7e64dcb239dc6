// GET on pods: list (one namespace or all), get, and watch.
import { podFieldGetter } from '../../api/selectors/fields.js';
import type { Pod } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { asTable, sendJson, wantsTable } from '../respond.js';
import { listOptions } from '../listOptions.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';
import { serveWatch } from '../watch.js';
import { typedPod } from './typed.js';

export function podsIn(ctx: RequestContext, namespace: string | undefined): Pod[] {
  return ctx.services.kubelet
    .listPods()
    .filter((p) => !namespace || p.metadata?.namespace === namespace)
    .sort((a, b) => `${a.metadata!.namespace}/${a.metadata!.name}`.localeCompare(`${b.metadata!.namespace}/${b.metadata!.name}`));
}

export function listPods(ctx: RequestContext, namespace: string | undefined): void {
  const opts = listOptions(ctx);
  const matches = selectorFromQuery(ctx, podFieldGetter);
  if (opts.watch) {
    serveWatch(ctx, { hub: ctx.services.pods, kind: 'Pod', current: () => podsIn(ctx, namespace), matches: (p) => (!namespace || p.metadata?.namespace === namespace) && matches(p), typed: typedPod }, opts);
    return;
  }
  const rv = ctx.services.kubelet.resourceVersion;
  const items = podsIn(ctx, namespace).filter(matches);
  if (wantsTable(ctx.req)) return sendJson(ctx.res, 200, asTable(ctx, 'Pod', items.map(typedPod), rv));
  sendJson(ctx.res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items: items.map(typedPod) });
}

export function findPod(ctx: RequestContext, namespace: string, name: string): Pod {
  const pod = ctx.services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  return pod;
}

export function getPod(ctx: RequestContext, namespace: string, name: string): void {
  const pod = typedPod(findPod(ctx, namespace, name));
  if (wantsTable(ctx.req)) return sendJson(ctx.res, 200, asTable(ctx, 'Pod', [pod], pod.metadata?.resourceVersion));
  sendJson(ctx.res, 200, pod);
}

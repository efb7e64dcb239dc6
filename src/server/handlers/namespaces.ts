// Namespaces: the four every cluster has, plus any a pod lives in. Read-only (pods may be created in
// any namespace: it exists from its first pod on).
import { namespaceFieldGetter } from '../../api/selectors/fields.js';
import type { Namespace } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { asTable, includeObject, sendJson, wantsTable } from '../respond.js';
import { isWatch } from '../queryParams.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';
import { rfc3339 } from '../../api/time.js';

const BUILT_IN = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function namespaces(ctx: RequestContext): Namespace[] {
  const names = new Set(BUILT_IN);
  for (const p of ctx.services.kubelet.listPods()) names.add(p.metadata!.namespace!);
  const created = rfc3339(ctx.services.startedAt);
  return [...names].sort().map((name) => ({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, creationTimestamp: created, labels: { 'kubernetes.io/metadata.name': name }, resourceVersion: '1' },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

export function listNamespaces(ctx: RequestContext): void {
  const items = namespaces(ctx).filter(selectorFromQuery(ctx, namespaceFieldGetter));
  if (isWatch(ctx)) {
    // Namespaces never change here: the current ones, then a stream that stays open.
    if (wantsTable(ctx.req)) includeObject(ctx); // a bad value is a 400 before the 200 goes out
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const ns of items) ctx.res.write(`${JSON.stringify({ type: 'ADDED', object: wantsTable(ctx.req) ? asTable(ctx, 'Namespace', [ns]) : ns })}\n`);
    return;
  }
  const rv = ctx.services.kubelet.resourceVersion;
  if (wantsTable(ctx.req)) return sendJson(ctx.res, 200, asTable(ctx, 'Namespace', items, rv));
  sendJson(ctx.res, 200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items });
}

export function getNamespace(ctx: RequestContext, name: string): void {
  const ns = namespaces(ctx).find((n) => n.metadata!.name === name);
  if (!ns) throw notFound('namespaces', name);
  sendJson(ctx.res, 200, wantsTable(ctx.req) ? asTable(ctx, 'Namespace', [ns]) : ns);
}

// Namespaces: the four every cluster has, plus any a pod lives in. Read-only (pods may be created in
// any namespace: it exists from its first pod on).
import { namespaceFieldGetter } from '../../api/selectors/fields.js';
import type { Namespace } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { asTable, includeObject, sendJson, wantsTable } from '../respond.js';
import { listOptions } from '../listOptions.js';
import { MAX_TIMEOUT_SECONDS } from '../watch.js';
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
  const opts = listOptions(ctx);
  const items = namespaces(ctx).filter(selectorFromQuery(ctx, namespaceFieldGetter));
  if (opts.watch) {
    // Namespaces never change here: the current ones, then a stream that stays open.
    if (wantsTable(ctx.req)) includeObject(ctx); // a bad value is a 400 before the 200 goes out
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const ns of items) ctx.res.write(`${JSON.stringify({ type: 'ADDED', object: wantsTable(ctx.req) ? asTable(ctx, 'Namespace', [ns]) : ns })}\n`);
    // timeoutSeconds as on every watch (a client such as the Python client's Watch waits for the end).
    const timeout = opts.timeoutSeconds ?? 0;
    if (timeout < 0) return void ctx.res.end();
    if (timeout > 0) {
      const timer = setTimeout(() => ctx.res.end(), Math.min(timeout, MAX_TIMEOUT_SECONDS) * 1000);
      ctx.res.on('close', () => clearTimeout(timer));
    }
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

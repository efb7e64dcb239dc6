// Maps a URL and method to its handler. Paths follow the API server: /api/v1/namespaces/{ns}/{resource}
// [/{name}[/{subresource}]], /api/v1/{resource} across namespaces, /apis/metrics.k8s.io/v1beta1/...
import type { RequestContext, ResourcePath } from './context.js';
import { serveDiscovery } from './discovery.js';
import { getEvent, listEvents } from './handlers/events.js';
import { getPodMetrics, listPodMetrics } from './handlers/metrics.js';
import { getNodeMetrics, listNodeMetrics } from './handlers/nodeMetrics.js';
import { podEviction } from './handlers/podEviction.js';
import { podLog } from './handlers/podLog.js';
import { serveKubeconfig } from './handlers/kubeconfig.js';
import { podTimeline } from './handlers/podTimeline.js';
import { serveAccessReview } from './handlers/accessReviews.js';
import { serveOpenApi } from './openapi.js';
import { decodeSegments } from './requestTarget.js';
import { badRequest, methodNotAllowed, routeNotFound } from './status.js';

export function parseResourcePath(segs: string[]): ResourcePath | undefined {
  if (segs.length === 0) return undefined;
  // A namespace's own subresources (RequestInfoFactory's namespaceSubresources): /namespaces/x/status.
  if (segs[0] === 'namespaces' && segs.length === 3 && (segs[2] === 'status' || segs[2] === 'finalize')) return { resource: 'namespaces', name: segs[1], subresource: segs[2] };
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    // Nothing lives below a subresource: /namespaces/ns/pods/name/log/more is no resource at all.
    if (segs.length > 5) return undefined;
    return { namespace: segs[1], resource: segs[2]!, name: segs[3], subresource: segs[4] };
  }
  if (segs.length > 3) return undefined;
  return { resource: segs[0]!, name: segs[1], subresource: segs[2] };
}

type Handler = () => void | Promise<void>;

function pick(ctx: RequestContext, handlers: Partial<Record<string, Handler>>): void | Promise<void> {
  const h = handlers[ctx.method];
  if (!h) throw methodNotAllowed();
  return h();
}

function routeCore(ctx: RequestContext, p: ResourcePath): void | Promise<void> {
  const { namespace: ns, name, subresource: sub } = p;
  switch (p.resource) {
    case 'pods':
      // The registry serves pods and pods/status (registry/kinds/pods.ts); log and exec are their own.
      if (sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward') {
        if (!ns || !name) throw routeNotFound();
        if (sub === 'log') return pick(ctx, { GET: () => podLog(ctx, ns, name) });
        throw badRequest('Upgrade request required');
      }
      if (sub === 'eviction') {
        if (!ns || !name) throw routeNotFound();
        return pick(ctx, { POST: () => podEviction(ctx, ns, name) });
      }
      return ctx.services.registry.lookup('', 'v1', 'pods')!.serve(ctx, p);
    case 'events':
      if (sub) throw routeNotFound();
      if (!name) return pick(ctx, { GET: () => listEvents(ctx, ns) });
      if (!ns) throw routeNotFound();
      return pick(ctx, { GET: () => getEvent(ctx, ns, name) });
    default: {
      const registry = ctx.services.registry.lookup('', 'v1', p.resource);
      if (registry) return registry.serve(ctx, p);
      throw routeNotFound();
    }
  }
}

function routeMetrics(ctx: RequestContext, p: ResourcePath): void | Promise<void> {
  if (p.resource === 'nodes' && !p.namespace && !p.subresource) return pick(ctx, { GET: () => (p.name ? getNodeMetrics(ctx, p.name) : listNodeMetrics(ctx)) });
  if (p.resource !== 'pods' || p.subresource) throw routeNotFound();
  if (!p.name) return pick(ctx, { GET: () => listPodMetrics(ctx, p.namespace) });
  if (!p.namespace) throw routeNotFound();
  return pick(ctx, { GET: () => getPodMetrics(ctx, p.namespace!, p.name!) });
}

export function route(ctx: RequestContext, pathname: string): void | Promise<void> {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (ctx.method === 'GET' && serveDiscovery(ctx, path)) return;
  if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return pick(ctx, { GET: () => void serveOpenApi(ctx, path) });
  if (path === '/tinylet/v1/kubeconfig') return pick(ctx, { GET: () => serveKubeconfig(ctx) });
  const segs = decodeSegments(path);
  if (segs[0] === 'tinylet' && segs[1] === 'v1' && segs[2] === 'namespaces' && segs[4] === 'pods' && segs[6] === 'timeline' && segs.length === 7) return pick(ctx, { GET: () => podTimeline(ctx, segs[3]!, segs[5]!) });
  if (segs[0] === 'api' && segs[1] === 'v1') {
    const p = parseResourcePath(segs.slice(2));
    if (p) return routeCore(ctx, p);
  }
  if (segs[0] === 'apis' && segs[1] === 'authorization.k8s.io' && segs[2] === 'v1' && segs.length >= 4) return serveAccessReview(ctx, segs[3]!, segs.slice(4));
  if (segs[0] === 'apis' && segs[1] === 'metrics.k8s.io' && segs[2] === 'v1beta1') {
    const p = parseResourcePath(segs.slice(3));
    if (p) return routeMetrics(ctx, p);
  }
  if (segs[0] === 'apis' && segs.length >= 4) {
    const p = parseResourcePath(segs.slice(3));
    const registry = p && ctx.services.registry.lookup(segs[1]!, segs[2]!, p.resource);
    if (registry) return registry.serve(ctx, p!);
  }
  throw routeNotFound();
}

// metrics.k8s.io/v1beta1 NodeMetrics, as metrics-server serves them, so `kubectl top node` works:
// the node's CPU as a rate over a sampled window (metrics/usageWindow.ts) and its memory working
// set (metrics/nodeUsage.ts). Listed for every Node object; getting another is
// `nodemetrics.metrics.k8s.io "<name>" not found`.
import type { Node } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../api/time.js';
import { formatGoDuration } from '../../kubelet/duration.js';
import type { RequestContext } from '../context.js';
import { readNodeUsage } from '../metrics/nodeUsage.js';
import { UsageSampler } from '../metrics/usageWindow.js';
import { sendJson } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';

const sampler = new UsageSampler();
/** This machine, the key of its window: every Node this agent serves is this machine. */
const MACHINE = {};

function nodes(ctx: RequestContext): Node[] {
  return ctx.services.objects.list('nodes') as unknown as Node[];
}

async function measure(list: Node[]): Promise<object[]> {
  if (list.length === 0) return [];
  const [usage] = await sampler.measure([{ key: MACHINE, containers: [{ name: 'node', identity: 'node', read: readNodeUsage }] }]);
  const c = usage?.containers[0];
  if (!usage || !c) return [];
  return list.map((n) => ({
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: n.metadata!.name, creationTimestamp: rfc3339(new Date()), labels: n.metadata?.labels },
    timestamp: rfc3339(new Date(usage.timestamp)),
    window: formatGoDuration(Math.round(usage.windowMs)),
    usage: { cpu: `${c.nanoCores}n`, memory: `${Math.round(c.memoryBytes / 1024)}Ki` },
  }));
}

export async function listNodeMetrics(ctx: RequestContext): Promise<void> {
  const matches = selectorFromQuery(ctx, { fields: ['metadata.name'], get: (o: Node, f) => (f === 'metadata.name' ? (o.metadata?.name ?? '') : '') });
  const items = await measure(nodes(ctx).filter(matches));
  sendJson(ctx.res, 200, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
}

export async function getNodeMetrics(ctx: RequestContext, name: string): Promise<void> {
  const node = nodes(ctx).find((n) => n.metadata?.name === name);
  const [item] = node ? await measure([node]) : [];
  if (!item) throw notFound('nodemetrics.metrics.k8s.io', name);
  sendJson(ctx.res, 200, item);
}

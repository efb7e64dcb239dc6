// metrics.k8s.io/v1beta1 PodMetrics, from pidusage over each container's process tree, so both
// `tinylet top pod` and the stock `kubectl top pod` work.
import pidusage from 'pidusage';
import type { Pod } from '../../api/types.js';
import { processTree } from '../../runtime/processTree.js';
import type { RequestContext } from '../context.js';
import { podFieldGetter } from '../../api/selectors/fields.js';
import { sendJson } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';
import { findPod, podsIn } from './podsRead.js';
import { rfc3339 } from '../../api/time.js';

export interface ContainerUsage {
  name: string;
  usage: { cpu: string; memory: string };
}

async function usageOf(pids: number[]): Promise<{ cpuPercent: number; memoryBytes: number }> {
  if (pids.length === 0) return { cpuPercent: 0, memoryBytes: 0 };
  const stats = await pidusage(pids).catch(() => ({}) as Record<string, pidusage.Status>);
  let cpuPercent = 0;
  let memoryBytes = 0;
  for (const s of Object.values(stats)) {
    if (!s) continue;
    cpuPercent += s.cpu;
    memoryBytes += s.memory;
  }
  return { cpuPercent, memoryBytes };
}

async function podMetrics(ctx: RequestContext, pod: Pod): Promise<object> {
  const worker = ctx.services.kubelet.getWorker(pod.metadata!.namespace!, pod.metadata!.name!);
  const containers: ContainerUsage[] = [];
  for (const r of worker?.records ?? []) {
    if (!r.process) continue;
    const { cpuPercent, memoryBytes } = await usageOf(processTree(r.process.pid));
    containers.push({ name: r.name, usage: { cpu: `${Math.round(cpuPercent * 1e7)}n`, memory: `${Math.round(memoryBytes / 1024)}Ki` } });
  }
  const m = pod.metadata!;
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: m.name, namespace: m.namespace, creationTimestamp: rfc3339(new Date()), labels: m.labels },
    timestamp: rfc3339(new Date()),
    window: '1s',
    containers,
  };
}

const running = (p: Pod) => p.status?.phase === 'Running' || p.status?.phase === 'Pending';

export async function listPodMetrics(ctx: RequestContext, namespace: string | undefined): Promise<void> {
  const matches = selectorFromQuery(ctx, podFieldGetter);
  const items = [];
  for (const p of podsIn(ctx, namespace).filter((p) => running(p) && matches(p))) items.push(await podMetrics(ctx, p));
  sendJson(ctx.res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
}

export async function getPodMetrics(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const pod = findPod(ctx, namespace, name);
  if (!running(pod)) throw notFound('pods.metrics.k8s.io', name);
  sendJson(ctx.res, 200, await podMetrics(ctx, pod));
}

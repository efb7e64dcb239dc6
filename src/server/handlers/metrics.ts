// metrics.k8s.io/v1beta1 PodMetrics, as metrics-server serves them, so both `tinylet top pod` and the
// stock `kubectl top pod` work: CPU as a rate over a window (metrics/usageWindow.ts: valid on the
// first request too), memory as the working set (metrics/containerUsage.ts). Like metrics-server:
// only pods in phase Running with a running container are listed, and getting one that has no
// metrics is `podmetrics.metrics.k8s.io "<ns>/<name>" not found`.
import type { Pod } from '../../api/types.js';
import type { PodWorker } from '../../kubelet/podWorker.js';
import type { RequestContext } from '../context.js';
import { podFieldGetter } from '../../api/selectors/fields.js';
import { readContainerUsage } from '../metrics/containerUsage.js';
import { UsageSampler, type PodTarget, type PodUsage } from '../metrics/usageWindow.js';
import { sendJson } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';
import { findPod, podsIn } from './podsRead.js';
import { rfc3339 } from '../../api/time.js';
import { formatGoDuration } from '../../kubelet/duration.js';

export interface ContainerUsage {
  name: string;
  usage: { cpu: string; memory: string };
}

const sampler = new UsageSampler();

/** The pod's running containers, to be measured; undefined when it has none (no metrics, as metrics-server). */
function targetOf(worker: PodWorker | undefined, pod: Pod): PodTarget | undefined {
  if (!worker || pod.status?.phase !== 'Running') return undefined;
  const containers = worker.records.flatMap((r) => {
    const proc = r.process;
    if (!proc) return [];
    const dirs = r.cgroup?.dirs;
    return [{ name: r.name, identity: `${r.instances}:${proc.pid}:${dirs?.[0] ?? ''}`, read: () => readContainerUsage(proc.pid, dirs) }];
  });
  return containers.length > 0 ? { key: worker, containers } : undefined;
}

function podMetrics(pod: Pod, usage: PodUsage): object {
  const m = pod.metadata!;
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: m.name, namespace: m.namespace, creationTimestamp: rfc3339(new Date()), labels: m.labels },
    // [timestamp - window, timestamp] is the interval the usage was measured over.
    timestamp: rfc3339(new Date(usage.timestamp)),
    window: formatGoDuration(Math.round(usage.windowMs)),
    containers: usage.containers.map(
      (c): ContainerUsage => ({ name: c.name, usage: { cpu: `${c.nanoCores}n`, memory: `${Math.round(c.memoryBytes / 1024)}Ki` } }),
    ),
  };
}

/** Measures the pods together (one shared wait when a window must be started now). */
async function measure(ctx: RequestContext, pods: Pod[]): Promise<object[]> {
  const withTargets = pods.flatMap((p) => {
    const target = targetOf(ctx.services.kubelet.getWorker(p.metadata!.namespace!, p.metadata!.name!), p);
    return target ? [{ pod: p, target }] : [];
  });
  const usages = await sampler.measure(withTargets.map((w) => w.target));
  return withTargets.flatMap((w, i) => (usages[i] ? [podMetrics(w.pod, usages[i])] : []));
}

export async function listPodMetrics(ctx: RequestContext, namespace: string | undefined): Promise<void> {
  const matches = selectorFromQuery(ctx, podFieldGetter);
  const items = await measure(ctx, podsIn(ctx, namespace).filter(matches));
  sendJson(ctx.res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
}

export async function getPodMetrics(ctx: RequestContext, namespace: string, name: string): Promise<void> {
  const pod = findPod(ctx, namespace, name);
  const [item] = await measure(ctx, [pod]);
  if (!item) throw notFound('podmetrics.metrics.k8s.io', `${namespace}/${name}`);
  sendJson(ctx.res, 200, item);
}

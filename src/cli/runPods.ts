import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Pod } from '../api/types.js';
import { imageDirOf, type AgentConfig } from '../kubelet/config.js';
import { Kubelet } from '../kubelet/kubelet.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import { podReadyCount, podStatusReason, summarizePod } from '../api/printers/podStatus.js';
import { formatLogLine, formatStatusLine, formatTimelineEvent } from './timeline.js';
import { removeCgroupParent } from '../runtime/cgroups.js';
import { requireHost } from './preflight.js';
import { judge, type Verdict } from './verdict.js';
import { longTimeout } from '../runtime/longTimeout.js';
import { ObjectWorld } from '../agent/objectWorld.js';
import { STORED_RESOURCES } from '../server/registry/apiRegistry.js';
import { loadObjects } from '../store/objectStore.js';
import { removeStaleRunTables, runTableName } from '../proxy/staleRunTables.js';
import { ReadinessLog, type ReadyChange } from '../timeline/readiness.js';
import type { TimelineRecord } from '../timeline/record.js';

/** `service/web created (ClusterIP, cluster IP 10.96.4.2, 80/TCP)`, as kubectl apply says, with what the run made of it. */
function createdLine(o: Record<string, any>): string {
  const kind = String(o.kind);
  const head = `${kind.toLowerCase()}${kind === 'EndpointSlice' ? '.discovery.k8s.io' : ''}/${o.metadata?.name} created`;
  if (kind !== 'Service') return head;
  const spec = o.spec ?? {};
  const ports = (spec.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
  return `${head} (${spec.type ?? 'ClusterIP'}, cluster IP ${spec.clusterIP ?? 'None'}${ports ? `, ${ports}` : ''})`;
}

export interface RunResult {
  pods: Pod[];
  events: Event[];
  verdicts: Verdict[];
  deleted: boolean;
  /** Each container's ready flag changing (no event says it): for the timeline picture. */
  readiness: ReadyChange[];
  /** The kubelet's timeline record of each pod (probe ticks, hooks, endpoints), in `pods` order. */
  timelines?: (TimelineRecord | undefined)[];
}

export interface RunPodsOptions {
  config: AgentConfig;
  forMs?: number;
  gracePeriodSeconds?: number;
  force?: boolean;
  /** Where timeline and log lines go (nothing for -o json). */
  print?: (line: string) => void;
  /** The file's Services, ConfigMaps, Secrets...: created before the pods, as `kubectl apply -f` does. */
  objects?: Record<string, any>[];
  /** Called once the pods are created: lets `tinylet verify` watch the kubelet and decide when to delete. */
  control?: (run: RunControl) => void;
}

export interface RunControl {
  kubelet: Kubelet;
  /** The run's objects (Services with their cluster IPs). */
  world: ObjectWorld;
  workers: PodWorker[];
  /** The graceful delete --for would do (force: a second Ctrl-C's). */
  deleteAll(force: boolean): void;
}

/**
 * The embedded agent behind `tinylet run` and `tinylet scenario run`: starts the pods, streams the
 * timeline and logs, deletes gracefully after `forMs` or on Ctrl-C (a second Ctrl-C forces), and
 * returns the final pods, every event, and a verdict per pod.
 */
export async function runPods(pods: Pod[], opts: RunPodsOptions): Promise<RunResult> {
  requireHost();
  const stateDir = join(opts.config.stateDir, `run-${process.pid}`);
  // Image-derived files outlive a run, so the next `tinylet run` does not make them again.
  const imageDir = imageDirOf(opts.config);
  const print = opts.print ?? (() => undefined);
  const config = { ...opts.config, stateDir, imageDir, apiPort: null, randomPodIPs: true };
  const kubelet = new Kubelet(config);
  // The run draws its pods' timelines once they are gone: keep their records past removal.
  kubelet.timelines.retainRemoved = true;
  // The run's own object store and Service rules (its own nftables table: an agent or another run
  // on the same bridge keeps its rules).
  const world = new ObjectWorld(config, kubelet, loadObjects(stateDir, STORED_RESOURCES), () => undefined, { proxyTable: runTableName(process.pid) });
  world.startControllers();
  try {
    for (const o of opts.objects ?? []) print(createdLine(world.createFromManifest(o)));
    if ((opts.objects ?? []).some((o) => o.kind === 'Service')) {
      await removeStaleRunTables();
      await world.startNetworking();
    }
  } catch (err) {
    world.stopControllers();
    await world.stopNetworking();
    await kubelet.shutdown({ gracePeriodSeconds: 0 });
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const origin = Date.now();
  const events: Event[] = [];
  kubelet.events.on('event', (e: Event) => {
    events.push(e);
    print(formatTimelineEvent(e, origin));
  });
  kubelet.on('log', (_w: PodWorker, r: { name: string }, line: { stream: string; content: string; time: Date }) => {
    print(formatLogLine(r.name, line.stream, line.content, line.time, origin));
  });
  // kubectl's STATUS/READY/RESTARTS columns as they change: what `kubectl get pods -w` would show.
  const columns = new Map<string, string>();
  const readiness = new ReadinessLog();
  kubelet.on('pod', (_type: string, pod: Pod) => {
    readiness.observe(pod);
    const line = `STATUS ${podStatusReason(pod)}   READY ${podReadyCount(pod)}   RESTARTS ${summarizePod(pod).restarts}`;
    if (columns.get(pod.metadata!.uid!) === line) return;
    columns.set(pod.metadata!.uid!, line);
    print(formatStatusLine(pod.metadata!.name!, line, origin));
  });
  const workers = pods.map((p) => {
    kubelet.createPod(p);
    return kubelet.getWorker(p.metadata!.namespace!, p.metadata!.name!)!;
  });
  let deleted = false;
  const deleteAll = (force: boolean) => {
    deleted = true;
    for (const w of workers) {
      kubelet.deletePod(w.pod.metadata!.namespace!, w.pod.metadata!.name!, { gracePeriodSeconds: force ? 0 : opts.gracePeriodSeconds, force: force || opts.force });
    }
  };
  let interrupts = 0;
  const onSignal = () => deleteAll(++interrupts > 1);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // --for may be longer than setTimeout can wait (24.8 days): a long timer.
  const timer = opts.forMs !== undefined ? longTimeout(opts.forMs, () => deleteAll(false)) : undefined;
  // A controller (tinylet verify) deletes once; only a force may repeat it.
  opts.control?.({ kubelet, world, workers, deleteAll: (force) => (!deleted || force ? deleteAll(force) : undefined) });
  try {
    await Promise.all(workers.map((w) => w.done));
    if (deleted) await kubelet.drained();
  } finally {
    timer?.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    world.stopControllers();
    await world.stopNetworking();
    await kubelet.network.destroyIfUnused();
    await removeCgroupParent(opts.config.cgroupParent);
    rmSync(stateDir, { recursive: true, force: true });
  }
  const finalPods = workers.map((w) => w.pod);
  const verdicts = finalPods.map((p) => judge(p, events.filter((e) => e.involvedObject.uid === p.metadata!.uid), deleted));
  const timelines = finalPods.map((p) => kubelet.timelines.recordOf(p.metadata!.uid!));
  return { pods: finalPods, events, verdicts, deleted, readiness: readiness.changes, timelines };
}

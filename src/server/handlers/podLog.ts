// GET pods/{name}/log: one container instance's CRI log file (container, previous, timestamps,
// tailLines, sinceSeconds, sinceTime, limitBytes), followed while that instance runs (follow).
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pod } from '../../api/types.js';
import type { ContainerRecord } from '../../kubelet/containerRecord.js';
import { containerLogPath } from '../../kubelet/podPaths.js';
import type { PodWorker } from '../../kubelet/podWorker.js';
import type { LogLine } from '../../runtime/logs/criFormat.js';
import type { RequestContext } from '../context.js';
import { badRequest } from '../status.js';
import { parseLogOptions } from './podLogOptions.js';
import { findPod } from './podsRead.js';
import { CriLogFollower } from '../../runtime/logs/criFollower.js';

/** The newest instance with a log file, for a pod no worker runs any more (restored after a restart). */
function newestInstanceOnDisk(stateDir: string, pod: Pod, container: string): number {
  const dir = dirname(containerLogPath(stateDir, pod, container, 0));
  if (!existsSync(dir)) return -1;
  return Math.max(-1, ...readdirSync(dir).map((f) => /^(\d+)\.log$/.exec(f)).filter((m) => m).map((m) => Number(m![1])));
}

function waitingReason(pod: Pod, container: string): string {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.find((s) => s.name === container)?.state?.waiting?.reason ?? 'ContainerCreating';
}

/** Whether the instance may still write lines (its process runs, or is about to). */
function instanceAlive(worker: PodWorker | undefined, record: ContainerRecord | undefined, instance: number): boolean {
  if (!worker || !record || worker.finished) return false;
  if (record.instances - 1 !== instance) return false;
  return record.process !== undefined || record.creating === true;
}

export function formatLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.timestamp} ${line.content}\n` : `${line.content}\n`;
}

export function podLog(ctx: RequestContext, namespace: string, name: string): void {
  const pod = findPod(ctx, namespace, name);
  const opts = parseLogOptions(ctx, pod);
  const worker = ctx.services.kubelet.getWorker(namespace, name);
  const record = worker?.records.find((r) => r.name === opts.container);
  const stateDir = ctx.services.config.stateDir;
  const latest = record ? record.instances - 1 : newestInstanceOnDisk(stateDir, pod, opts.container);
  const instance = opts.previous ? latest - 1 : latest;
  if (opts.previous && instance < 0) throw badRequest(`previous terminated container "${opts.container}" in pod "${name}" not found`);
  if (instance < 0) throw badRequest(`container "${opts.container}" in pod "${name}" is waiting to start: ${waitingReason(pod, opts.container)}`);

  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  let budget = opts.limitBytes ?? Infinity;
  const write = (lines: LogLine[]): boolean => {
    for (const l of lines) {
      if (opts.sinceMs !== undefined && l.time.getTime() < opts.sinceMs) continue;
      let text = formatLine(l, opts.timestamps);
      if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
      budget -= Buffer.byteLength(text);
      res.write(text);
      if (budget <= 0) return false;
    }
    return true;
  };
  const follower = new CriLogFollower(containerLogPath(stateDir, pod, opts.container, instance));
  let first = follower.read();
  if (opts.tailLines !== undefined) first = opts.tailLines === 0 ? [] : first.slice(-opts.tailLines);
  if (!write(first) || !opts.follow || opts.previous) {
    res.end();
    return;
  }
  let stopped = false;
  // Runs from timers and kubelet events: a failure (the log file gone, say) ends this follow only.
  const poll = () => {
    if (stopped) return;
    try {
      // Checked before reading: a finished instance has written its last line before it reports the exit.
      const alive = instanceAlive(worker, record, instance);
      if (!write(follower.read()) || !alive) {
        stop();
        res.end();
      }
    } catch (err) {
      console.error(`tinylet: log follow of ${namespace}/${name}: ${(err as Error)?.message ?? String(err)}`);
      stop();
      res.destroy();
    }
  };
  const timer = setInterval(poll, 200);
  const onLog = (w: PodWorker, r: ContainerRecord) => {
    if (w === worker && r === record) setTimeout(poll, 20);
  };
  ctx.services.kubelet.on('log', onLog);
  ctx.services.kubelet.on('pod', onPodChange);
  function onPodChange(): void {
    if (!instanceAlive(worker, record, instance)) setTimeout(poll, 20);
  }
  function stop(): void {
    stopped = true;
    clearInterval(timer);
    ctx.services.kubelet.off('log', onLog);
    ctx.services.kubelet.off('pod', onPodChange);
  }
  res.on('close', stop);
}

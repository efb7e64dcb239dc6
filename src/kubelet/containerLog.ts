import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContainerProcess } from '../runtime/launch.js';
import { writeCriLog } from '../runtime/logs/criWriter.js';
import type { InstanceHost } from './containerInstance.js';
import type { ContainerRecord } from './containerRecord.js';
import { logRotationPolicy } from './diskConfig.js';
import { containerLogPath } from './podPaths.js';

/**
 * Dead instances whose logs are kept besides the running one: the kubelet's container GC keeps
 * MaxPerPodContainer (--maximum-dead-containers-per-container, default 1) per container and its
 * log manager's Clean removes the others' logs, rotated files included. One is what `logs -p` reads.
 */
const DEAD_INSTANCES_KEPT = 1;

/** A pod hears about its dropped log lines at most this often (and the agent's log as often). */
const DROP_REPORT_INTERVAL_MS = 60_000;

/**
 * Copies one container instance's output into its log file, rotated as the config says. Lines that
 * cannot be written (a full disk) are dropped and reported as a Warning `LogWriteFailed` on the pod
 * at most once a minute, with how many were lost. The kubelet has no such event (containerd only
 * logs "Fail to write ... log to log file" and goes on draining); tinylet is its own runtime, so the
 * pod is where a user looks. Never rejects.
 */
export function startContainerLog(host: InstanceHost, r: ContainerRecord, instance: number, proc: ContainerProcess): Promise<void> {
  const cfg = host.kl.config;
  const path = containerLogPath(cfg.stateDir, host.pod, r.name, instance);
  let unreported = 0;
  let total = 0;
  let lastReport = -Infinity;
  const onDrop = (records: number, err: Error) => {
    unreported += records;
    total += records;
    const now = Date.now();
    if (now - lastReport < DROP_REPORT_INTERVAL_MS) return;
    lastReport = now;
    const message = `Dropped ${unreported} log line(s) of container ${r.name} (${total} since it started): ${err.message}`;
    unreported = 0;
    host.event('Warning', 'LogWriteFailed', message, r);
    console.error(`tinylet: ${host.pod.metadata?.namespace}/${host.pod.metadata?.name}: ${message}`);
  };
  void removeOldInstanceLogs(path, instance - DEAD_INSTANCES_KEPT);
  return writeCriLog(path, proc, (line) => host.logLine(r, line), { rotation: logRotationPolicy(cfg), onDrop });
}

/** Removes `<n>.log` and its rotated files for every n below `keepFrom`; best effort, never rejects. */
async function removeOldInstanceLogs(path: string, keepFrom: number): Promise<void> {
  if (keepFrom <= 0) return;
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^(\d+)\.log(\..*)?$/.exec(name);
    if (m && Number(m[1]) < keepFrom) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

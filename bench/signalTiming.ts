import { Kubelet } from '../src/kubelet/kubelet.js';
import { defaultPod } from '../src/api/defaults.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './util.js';

const GRACE_SECONDS = 2;
/** 100 pods take tens of seconds to start on a loaded 2-core box. */
const START_TIMEOUT_MS = 180_000;

/**
 * How far the SIGKILL lands from its deadline, `pods` pods deleted together: sleep as PID 1 ignores
 * SIGTERM, grace 2 s. Per pod, from the container's stop timing (termination.ts, stopControl.ts),
 * all on the monotonic clock: deadline -> SIGKILL sent (by the launcher's timerfd), deadline -> the
 * launcher's wait for the container returned, deadline -> the agent read that exit.
 */
export async function signalTiming(config: AgentConfig, pods: number, beforeDelete?: () => void): Promise<Record<string, number>> {
  const kubelet = new Kubelet(config);
  const killLate: number[] = [];
  const exitLate: number[] = [];
  const exitSeenLate: number[] = [];
  try {
    const workers = Array.from({ length: pods }, (_, i) => {
      const p = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `sig-${i}` }, spec: { terminationGracePeriodSeconds: GRACE_SECONDS, containers: [{ name: 's', image: 'busybox', command: ['sleep', '3600'] }] } });
      kubelet.createPod(p);
      return kubelet.getWorker('default', p.metadata!.name!)!;
    });
    const startBy = Date.now() + START_TIMEOUT_MS;
    while (!workers.every((w) => w.records.every((r) => r.state.running))) {
      if (Date.now() > startBy) throw new Error(`signalTiming: ${pods} pods not running within ${START_TIMEOUT_MS / 1000}s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    beforeDelete?.();
    for (const w of workers) kubelet.deletePod('default', w.pod.metadata!.name!);
    await kubelet.drained();
    for (const w of workers) {
      const t = w.records[0]!.lastStop;
      if (t?.deadline === undefined || t.killSent === undefined) throw new Error(`signalTiming: ${w.pod.metadata!.name} has no SIGKILL recorded`);
      killLate.push(t.killSent - t.deadline);
      if (t.exited !== undefined) exitLate.push(t.exited - t.deadline);
      if (t.exitSeen !== undefined) exitSeenLate.push(t.exitSeen - t.deadline);
    }
  } finally {
    await kubelet.network.destroy();
  }
  const ms = (x: number) => Math.round(x * 100) / 100;
  return {
    pods,
    deadlineToSigkillMsP50: ms(median(killLate)),
    deadlineToSigkillMsP99: ms(p99(killLate)),
    deadlineToSigkillMsMax: ms(Math.max(...killLate)),
    deadlineToExitMsP50: ms(median(exitLate)),
    deadlineToExitMsP99: ms(p99(exitLate)),
    deadlineToExitSeenMsP50: ms(median(exitSeenLate)),
    deadlineToExitSeenMsP99: ms(p99(exitSeenLate)),
    deadlineToExitSeenMsMax: ms(Math.max(...exitSeenLate)),
  };
}

function p99(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/**
 * The same measurement while the host writes 1 GB to disk (dd into the bench's own dir, flushed with
 * conv=fsync, removed after), started as the pods are deleted: the SIGKILLs and the exits must not
 * wait for the writeback.
 */
export async function signalTimingUnderWriteback(config: AgentConfig, pods: number, dir: string): Promise<Record<string, number>> {
  const file = join(dir, 'dirty-1g');
  let dd: Promise<number | null> | undefined;
  try {
    const result = await signalTiming(config, pods, () => {
      const child = spawn('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=1024', 'conv=fsync'], { stdio: 'ignore' });
      dd = new Promise((r) => child.once('close', r));
    });
    const status = await dd;
    if (status !== 0) throw new Error(`dd into ${file} failed (status ${status})`);
    return { ...result, writtenMB: 1024 };
  } finally {
    await dd;
    rmSync(file, { force: true });
  }
}

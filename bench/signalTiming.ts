import { Kubelet } from '../src/kubelet/kubelet.js';
import { defaultPod } from '../src/api/defaults.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './util.js';

/**
 * How far the SIGKILL lands from its deadline: sleep as PID 1 ignores SIGTERM, grace 2 s, and the
 * gap between the stop signal and SIGKILL is compared with 2000 ms.
 */
export async function signalTiming(config: AgentConfig, pods: number): Promise<Record<string, number>> {
  const kubelet = new Kubelet(config);
  const errors: number[] = [];
  const exitLate: number[] = [];
  try {
    const workers = Array.from({ length: pods }, (_, i) => {
      const p = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `sig-${i}` }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 's', image: 'busybox', command: ['sleep', '3600'] }] } });
      kubelet.createPod(p);
      return kubelet.getWorker('default', p.metadata!.name!)!;
    });
    await new Promise((r) => setTimeout(r, 1000));
    // When the kubelet sees each container's exit: polled every millisecond, since the exit is what
    // lands late when the teardown waits for writeback, not the SIGKILL.
    const exitSeen = new Map<string, number>();
    const poll = setInterval(() => {
      for (const w of workers) if (!exitSeen.has(w.pod.metadata!.name!) && w.records.every((r) => r.state.terminated)) exitSeen.set(w.pod.metadata!.name!, Date.now());
    }, 1);
    for (const w of workers) kubelet.deletePod('default', w.pod.metadata!.name!);
    await kubelet.drained();
    clearInterval(poll);
    for (const w of workers) {
      const ev = kubelet.events.forPod('default', w.pod.metadata!.name!);
      const at = (reason: string) => new Date(ev.find((e) => e.reason === reason)!.eventTime!).getTime();
      errors.push(at('ExceededGracePeriod') - at('Signal') - 2000);
      const seen = exitSeen.get(w.pod.metadata!.name!);
      if (seen !== undefined) exitLate.push(seen - at('Signal') - 2000);
    }
  } finally {
    await kubelet.network.destroy();
  }
  return {
    pods,
    sigkillDeadlineErrorMsMedian: median(errors),
    sigkillDeadlineErrorMsP99: p99(errors),
    sigkillDeadlineErrorMsMax: Math.max(...errors),
    exitSeenAfterDeadlineMsMedian: median(exitLate),
    exitSeenAfterDeadlineMsP99: p99(exitLate),
  };
}

function p99(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)];
}

/**
 * The same measurement while 1 GB of unrelated dirty data waits for writeback on the host (dd into
 * the bench's own dir, no fsync, removed after): a container's teardown must not wait for it to flush.
 */
export async function signalTimingUnderWriteback(config: AgentConfig, pods: number, dir: string): Promise<Record<string, number>> {
  const file = join(dir, 'dirty-1g');
  try {
    const dd = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=1024'], { stdio: 'ignore' });
    if (dd.status !== 0) throw new Error(`dd into ${file} failed (status ${dd.status})`);
    return { ...(await signalTiming(config, pods)), dirtyMB: 1024 };
  } finally {
    rmSync(file, { force: true });
  }
}

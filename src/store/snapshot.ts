import type { Pod } from '../api/types.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { vethNames } from '../runtime/network/podNetwork.js';
import { processStartTime } from '../runtime/processTree.js';
import type { StoredContainer, StoredPod } from './podStore.js';

/** The pod as the API shows it, plus the worker's facts needed to resume it (or clean up after it). */
export function snapshotPod(kubelet: Kubelet, pod: Pod): StoredPod {
  const m = pod.metadata!;
  const worker = kubelet.getWorker(m.namespace!, m.name!);
  const containers: Record<string, StoredContainer> = {};
  for (const r of worker?.records ?? []) {
    const exitedAt = r.lastState.terminated?.finishedAt;
    containers[r.name] = {
      instances: r.instances,
      backoff: r.backoff.snapshot(),
      ...(r.state.waiting?.reason === 'CrashLoopBackOff' && exitedAt ? { backoffUntil: Date.parse(exitedAt) + r.backoff.lastDelayMs } : {}),
      ...(r.process ? { process: { pid: r.process.pid, startTime: processStartTime(r.process.pid) } } : {}),
    };
  }
  const sandbox = worker?.sandbox;
  return {
    pod,
    containers,
    ...(sandbox
      ? { sandbox: { pid: sandbox.pid, startTime: processStartTime(sandbox.pid), hostVeth: pod.spec?.hostNetwork ? undefined : vethNames(m.uid!, kubelet.config.bridgeName).host } }
      : {}),
    savedAt: new Date().toISOString(),
  };
}

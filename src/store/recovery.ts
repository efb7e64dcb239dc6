// Agent start: read what the previous run stored, clean up after it, and bring its pods back.
// Re-adopting running containers is impossible by design (they die with their agent), so pods are
// recreated the way the kubelet recreates a lost sandbox (see README, "Restarts of the agent").
import { rmSync } from 'node:fs';
import type { Kubelet } from '../kubelet/kubelet.js';
import { podDir } from '../kubelet/podPaths.js';
import { failedAfterRestart, recreatePod } from '../kubelet/podRecovery.js';
import { cleanLeftovers } from './leftovers.js';
import type { PodStore } from './podStore.js';
import { rfc3339 } from '../api/time.js';

export interface RecoveryReport {
  leftovers: string[];
  recreated: string[];
  restored: string[];
  dropped: string[];
}

export async function recoverPods(kubelet: Kubelet, store: PodStore): Promise<RecoveryReport> {
  const stored = store.loadAll();
  const report: RecoveryReport = { leftovers: await cleanLeftovers(stored, kubelet.config), recreated: [], restored: [], dropped: [] };
  for (const s of stored) {
    const pod = s.pod;
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    const lostAt = rfc3339(new Date(s.savedAt));
    try {
      if (pod.metadata?.deletionTimestamp) {
        // Its deletion was under way: the processes are gone, so it is done.
        store.remove(pod.metadata.namespace!, pod.metadata.name!);
        rmSync(podDir(kubelet.config.stateDir, pod), { recursive: true, force: true });
        report.dropped.push(key);
      } else if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        kubelet.restorePod(pod);
        report.restored.push(key);
      } else if (pod.spec?.restartPolicy === 'Never' && Object.values(s.containers).some((c) => c.instances > 0)) {
        kubelet.restorePod(failedAfterRestart(pod, lostAt));
        report.restored.push(key);
      } else {
        recreatePod(kubelet, pod, s.containers, lostAt);
        report.recreated.push(key);
      }
    } catch (err) {
      console.error(`tinylet: could not recover pod ${key}: ${(err as Error).message}`);
    }
  }
  return report;
}

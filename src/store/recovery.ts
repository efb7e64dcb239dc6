// Agent start: read what the previous run stored, clean up after it, and bring its pods back.
// Re-adopting running containers is impossible by design (they die with their agent), so pods are
// recreated the way the kubelet recreates a lost sandbox (see README, "Restarts of the agent").
// Recovery never refuses to start: a file it cannot use is quarantined (quarantine.ts), a pod it
// cannot bring back too, and the others come back.
import { rmSync } from 'node:fs';
import type { Kubelet } from '../kubelet/kubelet.js';
import { podDir, podDirName } from '../kubelet/podPaths.js';
import { failedAfterRestart, recreatePod } from '../kubelet/podRecovery.js';
import { migratePodDir } from './legacyPodDirs.js';
import { cleanLeftovers } from './leftovers.js';
import type { LoadedPods } from './loadStoredPods.js';
import type { PodStore } from './podStore.js';
import { quarantine } from './quarantine.js';
import { collectStrayFiles } from './strayFiles.js';

export interface RecoveryReport {
  /** Processes, veths, mounts and cgroups of the previous run, removed. */
  leftovers: string[];
  recreated: string[];
  restored: string[];
  dropped: string[];
  /** Store files moved aside (messages naming each, as printed). */
  quarantined: string[];
  /** Pod dirs without a pod and temp files of interrupted writes, removed. */
  collected: string[];
  /** Files and dirs renamed from an earlier version's layout. */
  migrated: string[];
}

export const emptyRecoveryReport = (): RecoveryReport => ({ leftovers: [], recreated: [], restored: [], dropped: [], quarantined: [], collected: [], migrated: [] });

export interface RecoveryInput {
  /** The store as loaded at the agent's construction (PodStore.loadAll). */
  loaded: LoadedPods;
  /** Files quarantined while loading the rest of the store (events, resource version). */
  quarantined: string[];
  /** The previous agent's last sign of life (Heartbeat.previous); the time of its containers' death. */
  diedAt?: Date;
}

export async function recoverPods(kubelet: Kubelet, store: PodStore, input: RecoveryInput): Promise<RecoveryReport> {
  const stateDir = kubelet.config.stateDir;
  const stored = input.loaded.pods;
  const report: RecoveryReport = {
    ...emptyRecoveryReport(),
    leftovers: await cleanLeftovers(stored, kubelet.config),
    quarantined: [...input.loaded.quarantined, ...input.quarantined],
    migrated: [...input.loaded.migrated],
  };
  // Without a heartbeat (a state dir of an earlier version), the time the loss is noticed, as containerd does.
  const diedAt = input.diedAt ?? new Date();
  const kept = new Set<string>();
  for (const s of stored) {
    const pod = s.pod;
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    const key = `${namespace}/${name}`;
    try {
      const migrated = migratePodDir(stateDir, pod);
      if (migrated) report.migrated.push(migrated);
      if (pod.metadata?.deletionTimestamp) {
        // Its deletion was under way: the processes are gone, so it is done.
        store.remove(namespace, name);
        rmSync(podDir(stateDir, pod), { recursive: true, force: true });
        report.dropped.push(key);
        continue;
      }
      kept.add(podDirName(pod));
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        kubelet.restorePod(pod);
        report.restored.push(key);
      } else if (pod.spec?.restartPolicy === 'Never' && Object.values(s.containers).some((c) => c.instances > 0)) {
        kubelet.restorePod(failedAfterRestart(pod, s.containers, diedAt));
        report.restored.push(key);
      } else {
        recreatePod(kubelet, pod, s.containers, diedAt);
        report.recreated.push(key);
      }
    } catch (err) {
      // A pod the kubelet took is running whatever failed after; one it did not is set aside.
      if (kubelet.getPod(namespace, name)) {
        console.error(`tinylet agent: while recovering pod ${key}: ${(err as Error).message}`);
      } else {
        kept.delete(podDirName(pod));
        report.quarantined.push(quarantine(stateDir, store.file(namespace, name), `pod ${key} could not be recovered: ${(err as Error).message}`));
      }
    }
  }
  const inUse = (dirName: string) => kubelet.listPods().some((p) => podDirName(p) === dirName);
  report.collected = collectStrayFiles(stateDir, kept, inUse);
  return report;
}

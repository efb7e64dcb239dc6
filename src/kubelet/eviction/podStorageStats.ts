import { dirname, join } from 'node:path';
import type { Pod } from '../../api/types.js';
import { containerLogPath, containerRootDir, podDir } from '../podPaths.js';
import { diskUsage } from './diskUsage.js';

/** What the kubelet's summary API reports of a pod's local storage, in bytes (pkg/kubelet/stats). */
export interface PodStorageStats {
  /** Per container: its writable layer (Rootfs) and its log files, all instances (Logs). */
  containers: { name: string; rootfs: number; logs: number }[];
  /** Per emptyDir volume (VolumeStats), memory-backed ones included. */
  volumes: Map<string, number>;
  /**
   * EphemeralStorage: the containers' layers and logs, disk-backed emptyDirs, and the pod's own files
   * (the kubelet counts its etc-hosts file; here hosts, resolv.conf and friends).
   */
  ephemeral: number;
}

/** Walks a pod's dirs under the state dir: one pass, asynchronous (diskUsage.ts). */
export async function measurePod(stateDir: string, pod: Pod): Promise<PodStorageStats> {
  const spec = pod.spec!;
  const dir = podDir(stateDir, pod);
  const containers = [];
  let ephemeral = 0;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const rootfs = await diskUsage(join(containerRootDir(stateDir, pod, c.name), 'rootfs'));
    const logs = await diskUsage(dirname(containerLogPath(stateDir, pod, c.name, 0)));
    containers.push({ name: c.name, rootfs, logs });
    ephemeral += rootfs + logs;
  }
  const volumes = new Map<string, number>();
  for (const v of spec.volumes ?? []) {
    if (!v.emptyDir) continue;
    const used = await diskUsage(join(dir, 'volumes', v.name));
    volumes.set(v.name, used);
    if (v.emptyDir.medium !== 'Memory') ephemeral += used;
  }
  ephemeral += await diskUsage(join(dir, 'files'));
  return { containers, volumes, ephemeral };
}

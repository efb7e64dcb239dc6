import { join } from 'node:path';
import type { Pod } from '../api/types.js';

/** Where a pod's files live under the state dir, named as the kubelet names /var/log/pods entries. */
export function podDir(stateDir: string, pod: Pod): string {
  const m = pod.metadata!;
  return join(stateDir, 'pods', `${m.namespace}_${m.name}_${m.uid}`);
}

export function containerLogPath(stateDir: string, pod: Pod, container: string, instance: number): string {
  return join(podDir(stateDir, pod), 'logs', container, `${instance}.log`);
}

export function containerRootDir(stateDir: string, pod: Pod, container: string): string {
  return join(podDir(stateDir, pod), 'containers', container);
}

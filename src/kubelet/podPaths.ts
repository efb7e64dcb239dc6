// Where a pod's files live under the state dir. Every component is bounded (see diskNames.ts): a
// pod's dir has at most 101 characters, a container's 63, so a container's upper and work dirs stay
// about 200 characters below the state dir, and the overlay's options far below a page.
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { boundedName } from './diskNames.js';

/** A deleted pod's dir stays this long for `logs` right after the delete (the pod worker's retention). */
export const DELETED_POD_LOG_RETENTION_MS = 60_000;

/**
 * The pod's dir name, `<namespace>_<name>_<uid>` as the kubelet names /var/log/pods entries, with
 * `<namespace>_<name>` cut to 64 characters plus a hash when longer. The uid keeps it unique.
 */
export function podDirName(pod: Pod): string {
  const m = pod.metadata!;
  return `${boundedName(`${m.namespace}_${m.name}`, 64)}_${boundedName(String(m.uid), 36)}`;
}

/** The dir earlier versions used (the raw names): only to find and migrate it at recovery. */
export function legacyPodDirName(pod: Pod): string {
  const m = pod.metadata!;
  return `${m.namespace}_${m.name}_${m.uid}`;
}

export function podDir(stateDir: string, pod: Pod): string {
  return join(stateDir, 'pods', podDirName(pod));
}

/** Container names are DNS labels (at most 63 characters); bounded anyway, as the path is built from them. */
const containerDirName = (container: string) => boundedName(container, 63);

export function containerLogPath(stateDir: string, pod: Pod, container: string, instance: number): string {
  return join(podDir(stateDir, pod), 'logs', containerDirName(container), `${instance}.log`);
}

export function containerRootDir(stateDir: string, pod: Pod, container: string): string {
  return join(podDir(stateDir, pod), 'containers', containerDirName(container));
}

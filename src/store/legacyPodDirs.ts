// Pod dirs of earlier versions were named with the raw `<namespace>_<name>_<uid>`; for long names the
// current name differs (podPaths.ts). Such a dir is renamed at recovery, so a pod that comes back
// keeps its logs (`logs --previous`, a finished pod's output). Short names did not change.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { legacyPodDirName, podDirName } from '../kubelet/podPaths.js';

/** Renames the pod's dir from the earlier layout if there is one; returns what it did. */
export function migratePodDir(stateDir: string, pod: Pod): string | undefined {
  const from = legacyPodDirName(pod);
  const to = podDirName(pod);
  if (from === to) return undefined;
  const dir = join(stateDir, 'pods');
  // A legacy name longer than NAME_MAX never existed (creating it failed): nothing to look for.
  if (Buffer.byteLength(from) > 255 || !existsSync(join(dir, from)) || existsSync(join(dir, to))) return undefined;
  try {
    renameSync(join(dir, from), join(dir, to));
    return `pod dir pods/${from} renamed to pods/${to}`;
  } catch (err) {
    console.error(`tinylet agent: could not rename pod dir pods/${from}: ${(err as Error).message}`);
    return undefined;
  }
}

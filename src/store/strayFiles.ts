// Files of the previous run that nothing refers to any more, collected at start: pod dirs under
// <stateDir>/pods whose pod is not stored (deleted while the agent was down or dying, or stored in
// a file that was quarantined), and atomicWrite's temp files left by a crash between write and
// rename. A pod dir of a pod deleted less than DELETED_POD_LOG_RETENTION_MS ago keeps the rest of
// its retention, as it would have in the previous run.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DELETED_POD_LOG_RETENTION_MS } from '../kubelet/podPaths.js';
import { ATOMIC_TEMP_FILE } from './atomicWrite.js';

const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

function remove(path: string): string | undefined {
  try {
    rmSync(path, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Pod dirs not in `keep` (dir names of the stored pods); returns what was (or will be) removed.
 * `inUse` is asked again before a deferred removal: a static pod whose file came back meanwhile
 * has the same uid, so the same dir.
 */
function collectPodDirs(stateDir: string, keep: Set<string>, inUse: (dirName: string) => boolean, now: number): string[] {
  const out: string[] = [];
  const dir = join(stateDir, 'pods');
  for (const name of list(dir)) {
    if (keep.has(name)) continue;
    const path = join(dir, name);
    let age: number;
    try {
      // A pod's dir changes last when its worker removes `files` and `containers` at the end of a delete.
      age = now - statSync(path).mtimeMs;
    } catch {
      continue;
    }
    const what = relative(stateDir, path);
    if (age < DELETED_POD_LOG_RETENTION_MS) {
      const left = DELETED_POD_LOG_RETENTION_MS - age;
      setTimeout(() => inUse(name) || remove(path), left).unref();
      out.push(`${what} (its pod is gone; removed in ${Math.ceil(left / 1000)} s, at the end of its log retention)`);
      continue;
    }
    const failed = remove(path);
    out.push(failed ? `${what} (its pod is gone, but it could not be removed: ${failed})` : `${what} (its pod is gone)`);
  }
  return out;
}

/** atomicWrite's temp files in the dirs it writes to (the store, the pods' files, the token's dir). */
function collectTempFiles(stateDir: string): string[] {
  const out: string[] = [];
  for (const dir of [stateDir, join(stateDir, 'store'), join(stateDir, 'store', 'pods')]) {
    for (const name of list(dir)) {
      if (!ATOMIC_TEMP_FILE.test(name)) continue;
      const path = join(dir, name);
      out.push(`${relative(stateDir, path)}${remove(path) ? ' (could not be removed)' : ''}`);
    }
  }
  return out;
}

/** Collects the previous run's stray files; `keep` are the dir names of the pods still stored. */
export function collectStrayFiles(stateDir: string, keep: Set<string>, inUse: (dirName: string) => boolean, now = Date.now()): string[] {
  return [...collectPodDirs(stateDir, keep, inUse, now), ...collectTempFiles(stateDir)];
}

// Reading <stateDir>/store/pods at start. Whatever is in a file, the agent starts: a file that is not
// a stored pod is quarantined, with a message naming it. Files are found by content, not by name,
// so pods stored by an earlier version under another name (the raw `<namespace>_<name>.json`, which
// long names made too long) are found too, and renamed to the current name.
import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { StoredPod } from './podStore.js';
import { quarantine } from './quarantine.js';
import { asStoredPod, storedPodProblem } from './storedPodShape.js';

export interface LoadedPods {
  pods: StoredPod[];
  /** Messages about the files moved aside. */
  quarantined: string[];
  /** Files renamed from an earlier version's name. */
  migrated: string[];
}

interface Found {
  stored: StoredPod;
  path: string;
}

function readOne(path: string): Found | { problem: string } {
  let value: unknown;
  let mtime: Date;
  try {
    mtime = statSync(path).mtime;
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { problem: (err as Error).message };
  }
  const problem = storedPodProblem(value);
  return problem ? { problem } : { stored: asStoredPod(value as Record<string, unknown>, mtime), path };
}

const keyOf = (s: StoredPod) => `${s.pod.metadata!.namespace}/${s.pod.metadata!.name}`;

export function loadStoredPods(stateDir: string, dir: string, fileFor: (namespace: string, name: string) => string): LoadedPods {
  const out: LoadedPods = { pods: [], quarantined: [], migrated: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  const moveAside = (path: string, why: string) => out.quarantined.push(quarantine(stateDir, path, why));
  const found = new Map<string, Found>();
  for (const f of names) {
    // Dot files are atomicWrite's temporaries (collected at recovery), never a pod.
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const path = join(dir, f);
    const one = readOne(path);
    if ('problem' in one) {
      moveAside(path, one.problem);
      continue;
    }
    const key = keyOf(one.stored);
    const other = found.get(key);
    if (!other) {
      found.set(key, one);
      continue;
    }
    // Two files for one pod (an earlier version's name next to the current one): the newer one counts.
    const [keep, drop] = Date.parse(other.stored.savedAt) >= Date.parse(one.stored.savedAt) ? [other, one] : [one, other];
    moveAside(drop.path, `a second file for pod ${key}, older than ${basename(keep.path)}`);
    found.set(key, keep);
  }
  for (const { stored, path } of found.values()) {
    const m = stored.pod.metadata!;
    const want = fileFor(m.namespace!, m.name!);
    if (path !== want) {
      try {
        renameSync(path, want);
        out.migrated.push(`store file ${relative(dir, path)} renamed to ${relative(dir, want)}`);
      } catch (err) {
        // Still loaded; the next write goes to the current name, and this file is a duplicate then.
        console.error(`tinylet agent: could not rename store file ${relative(dir, path)}: ${(err as Error).message}`);
      }
    }
    out.pods.push(stored);
  }
  return out;
}

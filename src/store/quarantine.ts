// A store file the agent cannot use (bad JSON, the wrong shape, a pod it cannot recreate) is moved
// aside into <stateDir>/store/quarantine, named in a message, and the agent starts without it: one
// file never keeps a node from starting, and nothing is deleted that someone may want to look at.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { boundedName } from '../kubelet/diskNames.js';

export function quarantineDir(stateDir: string): string {
  return join(stateDir, 'store', 'quarantine');
}

/**
 * Moves `path` (a file under <stateDir>/store) aside and returns the message, which is also
 * printed; the caller goes on without the file either way.
 */
export function quarantine(stateDir: string, path: string, reason: string): string {
  const store = join(stateDir, 'store');
  const what = relative(store, path);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const dir = quarantineDir(stateDir);
  // Old files may have names near NAME_MAX: the moved one is bounded like every name on disk.
  const base = join(dir, `${boundedName(what.replaceAll('/', '_'), 180)}.${stamp}`);
  let target = base;
  for (let n = 1; existsSync(target); n++) target = `${base}.${n}`;
  let message: string;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    renameSync(path, target);
    message = `moved unreadable store file ${what} aside to ${relative(stateDir, target)}: ${reason}`;
  } catch (err) {
    // A read-only or full disk: the file stays where it is, and is skipped again at the next start.
    message = `ignoring unreadable store file ${what} (moving it aside failed: ${(err as Error).message}): ${reason}`;
  }
  console.error(`tinylet agent: ${message}`);
  return message;
}

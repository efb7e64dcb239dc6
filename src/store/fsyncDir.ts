import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * fsync of a directory: makes the renames, creations and removals of its entries durable. A file's
 * own fsync does not cover its name; without this a machine crash can undo a rename or an unlink
 * that the API already acknowledged.
 */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a file (if it exists) durably: unlink, then fsync of its directory. */
export function removeFileDurably(path: string): void {
  rmSync(path, { force: true });
  fsyncDir(dirname(path));
}

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

/**
 * Writes a file so that a reader (or the next agent after a crash) sees either the old content or
 * the new one, never a torn write: temp file in the same directory, fsync, rename over the target,
 * fsync of the directory (the rename itself is only durable once the directory is). A failed write
 * (ENOSPC) removes its temp file and throws; the old content stays.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      // write(2) may write less than asked (a disk filling up): the rest is written, or its ENOSPC thrown.
      const bytes = Buffer.from(data);
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/** A temp file of writeFileAtomic (`.<name>.<pid>.tmp`), which a crash between write and rename leaves. */
export const ATOMIC_TEMP_FILE = /^\..+\.\d+\.tmp$/;

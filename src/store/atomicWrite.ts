import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
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

let tempSeq = 0;

/**
 * The slow half of an atomic write off the event loop: the data written to a temp file of its own
 * (in the target's directory, or `tmpDir` on the same filesystem) and fsynced on libuv's thread pool. The caller renames it over the
 * target (`renameSync`, on the main thread, so it is ordered with every other write of that file)
 * or removes it, and makes the directory durable. A failure removes the temp file and rejects.
 */
export async function writeTempDurably(path: string, data: string, opts: { tmpDir?: string; mode?: number } = {}): Promise<string> {
  const tmp = join(opts.tmpDir ?? dirname(path), `.${basename(path)}.${process.pid}-${++tempSeq}.tmp`);
  const mode = opts.mode ?? 0o600;
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return tmp;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** fsync of a directory on the thread pool (see fsyncDir). */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A temp file of an atomic write (`.<name>.<pid>[-<n>].tmp`), which a crash between write and rename leaves. */
export const ATOMIC_TEMP_FILE = /^\..+\.\d+(-\d+)?\.tmp$/;

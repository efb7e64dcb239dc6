import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** lstat calls in flight at once: enough to overlap, few enough to leave the libuv pool to others. */
const PARALLEL = 8;

/**
 * `du -sx` of a path, asynchronously: the blocks allocated below it (st_blocks × 512, what the disk
 * really holds: a sparse file counts its data, not its size), each hard-linked inode once, not
 * crossing into another filesystem (a memory-backed emptyDir's tmpfs below a pod dir, an overlay's
 * merged dir were it mounted here). Every step awaits the thread pool, so a big tree costs time,
 * never a blocked event loop. A missing path is 0; entries vanishing meanwhile are skipped.
 */
export async function diskUsage(root: string, seen = new Set<string>()): Promise<number> {
  let top;
  try {
    top = await lstat(root);
  } catch {
    return 0;
  }
  const dev = top.dev;
  let total = top.blocks * 512;
  const dirs = top.isDirectory() ? [root] : [];
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 64 });
    } catch {
      continue;
    }
    let batch: string[] = [];
    const flush = async () => {
      const stats = await Promise.all(batch.map((p) => lstat(p).then((s) => ({ p, s }), () => undefined)));
      batch = [];
      for (const entry of stats) {
        if (!entry || entry.s.dev !== dev) continue;
        const { p, s } = entry;
        if (s.isDirectory()) {
          dirs.push(p);
        } else if (s.nlink > 1) {
          const key = `${s.dev}:${s.ino}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += s.blocks * 512;
      }
    };
    try {
      for await (const ent of handle) {
        batch.push(join(dir, ent.name));
        if (batch.length >= PARALLEL) await flush();
      }
      await flush();
    } catch {
      /* the directory went away while read */
    }
  }
  return total;
}

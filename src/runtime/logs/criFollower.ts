import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseLogLine, type LogLine } from './criFormat.js';
import { parseRotatedName } from './logRotation.js';

/**
 * Reads a CRI log file incrementally: each read() returns the complete lines added since the last one.
 *
 * Like the kubelet's ReadLogs it reads the current file only; when the file was rotated between two
 * reads (its path now names a new inode), it first finishes the old one, which the rotation left
 * uncompressed as `<log>.<timestamp>`, then goes on from the start of the new one, as ReadLogs
 * reopens the path on fsnotify's Create. Two rotations between reads lose the lines in between, as
 * the kubelet's does once the file it had open is compressed and removed.
 */
export class CriLogFollower {
  private offset = 0;
  private inode?: { dev: number; ino: number };
  /** Bytes after the last newline read: the start of a record still being written. */
  private rest: Buffer = Buffer.alloc(0);
  private partial?: LogLine;

  constructor(private readonly path: string) {}

  read(): LogLine[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    let bytes: Buffer;
    try {
      const st = fstatSync(fd);
      let before: Buffer = Buffer.alloc(0);
      if (this.inode && (st.ino !== this.inode.ino || st.dev !== this.inode.dev)) {
        const old = this.findRotated(this.inode);
        if (old !== undefined) before = readFrom(old, this.offset);
        else this.rest = Buffer.alloc(0); // its tail is gone: do not glue half a record to the new file's first
        this.offset = 0;
      } else if (st.size < this.offset) {
        this.offset = 0;
      }
      this.inode = { dev: st.dev, ino: st.ino };
      const buf = readFd(fd, this.offset, st.size);
      this.offset += buf.length;
      bytes = Buffer.concat([this.rest, before, buf]);
    } finally {
      closeSync(fd);
    }
    // Cut at the last newline byte, so a multi-byte character split by a read is decoded whole later.
    const cut = bytes.lastIndexOf(0x0a);
    this.rest = Buffer.from(bytes.subarray(cut + 1));
    const out: LogLine[] = [];
    for (const raw of bytes.subarray(0, cut + 1).toString('utf8').split('\n')) {
      const line = parseLogLine(raw);
      if (!line) continue;
      if (this.partial && this.partial.stream === line.stream) {
        line.content = this.partial.content + line.content;
        line.time = this.partial.time;
        line.timestamp = this.partial.timestamp;
      }
      this.partial = line.partial ? line : undefined;
      if (!line.partial) out.push(line);
    }
    return out;
  }

  /** The newest rotated file, if it is still the one this follower was reading (same inode). */
  private findRotated(inode: { dev: number; ino: number }): string | undefined {
    const dir = dirname(this.path);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const name of names) {
      const r = parseRotatedName(this.path, name);
      if (!r || r.compressed || r.tmp) continue;
      try {
        const st = statSync(join(dir, name));
        if (st.ino === inode.ino && st.dev === inode.dev) return join(dir, name);
      } catch {
        /* removed meanwhile */
      }
    }
    return undefined;
  }
}

function readFd(fd: number, from: number, to: number): Buffer {
  if (to <= from) return Buffer.alloc(0);
  const buf = Buffer.alloc(to - from);
  const n = readSync(fd, buf, 0, buf.length, from);
  return buf.subarray(0, n);
}

function readFrom(path: string, from: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    return readFd(fd, from, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

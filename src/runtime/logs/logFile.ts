import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { rotateLogFile, type RotationPolicy, type RotationState } from './logRotation.js';

/** Queued text (characters) above which the writer should stop reading the container's output... */
const HIGH_WATER = 1 << 20;
/** ...and below which it may read again. */
const LOW_WATER = 256 << 10;
/** After a failed write, open or rotation, lines are dropped without touching the disk for this long. */
const RETRY_MS = 1000;

export interface LogFileOptions {
  rotation?: RotationPolicy;
  /** Records that could not be written (disk full, I/O error, quota): they are lost, the writer goes on. */
  onDrop?: (records: number, err: Error) => void;
}

/**
 * One container instance's log file, appended to asynchronously record by record, rotated inline
 * when the next record would take it past the policy's maxSize.
 *
 * A write error is the pod's problem, never the agent's: the records are dropped and counted, the
 * file is cut back to the last whole record (a short write on a full disk would leave half a line),
 * and nothing is retried for a second, so a container writing to a full disk costs no more than
 * reading its output. Memory stays bounded: append() says when the queue is over its high-water
 * mark, and the caller stops reading the FIFO until drained() (the container then blocks on
 * write, as under containerd, whose log copier writes synchronously).
 */
export class RotatingLogFile {
  private fh?: FileHandle;
  /** Bytes in the current file up to its last whole record. */
  private size = 0;
  private queue: string[] = [];
  private queuedChars = 0;
  private pumping?: Promise<void>;
  private failingUntil = 0;
  private lastError?: Error;
  private readonly rotation: RotationState = { seq: 0 };
  private drainWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    private readonly opts: LogFileOptions = {},
  ) {}

  /** Queues records (each a whole CRI line); false once the caller should wait for drained(). */
  append(records: string[]): boolean {
    if (records.length === 0) return true;
    if (this.closed || Date.now() < this.failingUntil) {
      this.drop(records.length, this.lastError ?? new Error('log file closed'));
      return true;
    }
    for (const r of records) {
      this.queue.push(r);
      this.queuedChars += r.length;
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
    return this.queuedChars < HIGH_WATER;
  }

  /** Resolves once the queue is below its low-water mark. */
  drained(): Promise<void> {
    if (this.queuedChars < LOW_WATER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is queued, then closes the file. Never rejects. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pumping) await this.pumping;
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    this.notifyDrained();
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      let i = 0;
      try {
        while (i < batch.length) {
          if (!this.fh) await this.openCurrent();
          const j = this.fitting(batch, i);
          if (j === i) {
            await this.rotate();
            continue;
          }
          const buf = Buffer.from(batch.slice(i, j).join(''));
          await this.writeAll(buf);
          this.size += buf.length;
          i = j;
        }
      } catch (err) {
        await this.failed(err as Error, batch.length - i);
      }
      for (const r of batch) this.queuedChars -= r.length;
      if (this.queuedChars < LOW_WATER) this.notifyDrained();
    }
  }

  /** The end of the run of records from `from` that fits in the current file (one at least, into an empty file). */
  private fitting(batch: string[], from: number): number {
    const max = this.opts.rotation?.maxSize ?? -1;
    if (max < 0) return batch.length;
    let bytes = this.size;
    let j = from;
    while (j < batch.length) {
      const b = Buffer.byteLength(batch[j]!);
      if (bytes + b > max && bytes > 0) break;
      bytes += b;
      j++;
    }
    return j;
  }

  private async openCurrent(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const fh = await open(this.path, 'a');
    try {
      this.size = (await fh.stat()).size;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.fh = fh;
  }

  private async rotate(): Promise<void> {
    const policy = this.opts.rotation!;
    await this.fh?.close();
    this.fh = undefined;
    await rotateLogFile(this.path, policy, this.rotation);
    this.size = 0;
  }

  private async writeAll(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh!.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
  }

  private async failed(err: Error, records: number): Promise<void> {
    this.failingUntil = Date.now() + RETRY_MS;
    this.lastError = err;
    // A short write left part of a record: cut the file back to the last whole one. Failing that,
    // reopen later (the next open reads the size again).
    if (this.fh) {
      try {
        await this.fh.truncate(this.size);
      } catch {
        await this.fh.close().catch(() => undefined);
        this.fh = undefined;
      }
    }
    const queued = this.queue.length;
    for (const r of this.queue) this.queuedChars -= r.length;
    this.queue = [];
    this.drop(records + queued, err);
  }

  private drop(records: number, err: Error): void {
    try {
      this.opts.onDrop?.(records, err);
    } catch {
      /* a reporter's failure must not stop the draining */
    }
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

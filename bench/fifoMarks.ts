import { execFileSync } from 'node:child_process';
import { constants, createReadStream, openSync, writeSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { nowNs } from './util.js';

/**
 * A FIFO the containers write one line to as their first instruction (`echo NAME > /mark/fifo`, a
 * shell builtin: no fork before it), shared with them through a hostPath volume. Each line is
 * timestamped when it arrives here, with the same clock as the spawn it is compared with: the same
 * method for tinylet and podman.
 */
export class FifoMarks {
  readonly path: string;
  private readonly fd: number;
  private readonly stream: ReadStream;
  private buffered = '';
  private readonly seen: { line: string; ns: bigint }[] = [];
  private waiters: (() => void)[] = [];

  constructor(dir: string) {
    this.path = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '0666', this.path]);
    // Read-write: open does not wait for a writer, and a writer closing is no end of file.
    this.fd = openSync(this.path, constants.O_RDWR);
    this.stream = createReadStream('', { fd: this.fd, autoClose: true, highWaterMark: 4096 });
    this.stream.on('data', (chunk) => {
      const ns = nowNs();
      this.buffered += chunk.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        this.seen.push({ line: this.buffered.slice(0, nl), ns });
        this.buffered = this.buffered.slice(nl + 1);
      }
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  /** Forgets the lines seen so far (the next measurement starts clean). */
  reset(): void {
    this.seen.length = 0;
  }

  /** Resolves with the arrival time of the first line equal to each of `lines` (the latest of them). */
  async waitFor(lines: string[], timeoutMs: number): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const times = lines.map((l) => this.seen.find((s) => s.line === l)?.ns);
      if (times.every((t) => t !== undefined)) return times.reduce((a, b) => (b! > a! ? b : a))!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mark ${lines.filter((_, i) => times[i] === undefined).join(', ')} within ${timeoutMs} ms (seen: ${this.seen.map((s) => s.line).join(', ') || 'none'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    // The read under way in the thread pool returns only once the FIFO holds a byte: give it one,
    // then the stream closes the fd when that read is done (autoClose waits for it).
    this.stream.destroy();
    try {
      writeSync(this.fd, '\n');
    } catch {
      /* already closed */
    }
  }
}

// The input side of CommandStreams, shared by both transports: what the client sends before the
// handler registered its callbacks is kept and delivered in order at listen(), and a callback that
// throws is logged and ends nothing else (it runs in a socket's event listener).
import type { CommandInput } from './commandStreams.js';
import type { TerminalSize } from './channelStream.js';

type Event = { kind: 'stdin'; data: Buffer } | { kind: 'stdinEnd' } | { kind: 'resize'; size: TerminalSize } | { kind: 'close' };

/** Input kept before listen() is bounded: a client cannot make the agent buffer without limit. */
const MAX_PENDING_BYTES = 1024 * 1024;

export class PendingInput {
  private handlers: CommandInput | undefined;
  private pending: Event[] = [];
  private pendingBytes = 0;
  private closed = false;

  listen(handlers: CommandInput): void {
    if (this.handlers) return;
    this.handlers = handlers;
    const queued = this.pending;
    this.pending = [];
    for (const e of queued) this.deliver(e);
  }

  stdin(data: Buffer): void {
    if (data.length) this.push({ kind: 'stdin', data });
  }

  stdinEnd(): void {
    this.push({ kind: 'stdinEnd' });
  }

  resize(size: TerminalSize): void {
    this.push({ kind: 'resize', size });
  }

  /** Once; nothing is delivered after it. */
  close(): void {
    if (this.closed) return;
    this.push({ kind: 'close' });
    this.closed = true;
  }

  private push(e: Event): void {
    if (this.closed) return;
    if (this.handlers) return this.deliver(e);
    if (e.kind === 'stdin') {
      if (this.pendingBytes + e.data.length > MAX_PENDING_BYTES) return;
      this.pendingBytes += e.data.length;
    }
    this.pending.push(e);
  }

  private deliver(e: Event): void {
    const h = this.handlers!;
    try {
      if (e.kind === 'stdin') h.stdin?.(e.data);
      else if (e.kind === 'stdinEnd') h.stdinEnd?.();
      else if (e.kind === 'resize') h.resize?.(e.size);
      else h.close?.();
    } catch (err) {
      console.error(`tinylet: exec/attach input: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}

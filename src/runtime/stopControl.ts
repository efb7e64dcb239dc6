import type { Socket } from 'node:net';

/** One stop's timing, in performance.now() milliseconds (bench/signalTiming.ts reads it). */
export interface StopTiming {
  /** When SIGKILL is due. */
  deadline?: number;
  /** When the launcher sent SIGKILL. */
  killSent?: number;
  /** When the launcher's wait for the container returned. */
  exited?: number;
  /** When the agent read the launcher's report of the exit. */
  exitSeen?: number;
}

/**
 * The agent's end of a launcher's control FIFO (agent/stopdeadline.c): the stop signal and the
 * SIGKILL deadline are handed to the launcher, whose timerfd fires on time however late the
 * agent's event loop runs. The agent keeps a timer of its own as a backstop (termination.ts).
 * Times on the wire are CLOCK_MONOTONIC nanoseconds, the clock of process.hrtime.bigint().
 */
export class StopControl {
  private resolveKilled!: (at: Date) => void;
  private ordered = false;
  /** When the launcher sent SIGKILL, as it reported it: the wall-clock time of the send, not of the report. */
  readonly killed: Promise<Date> = new Promise((r) => (this.resolveKilled = r));
  /** Set as soon as the launcher's "killed" line is read (the promise above settles a tick later). */
  killedAt?: Date;
  /** When the launcher sent the stop signal. */
  signalledAt?: Date;
  readonly timing: StopTiming = {};
  /** False once the launcher said it has no deadline thread, or its FIFO broke: the agent's timer alone acts. */
  available = true;

  constructor(private readonly fifo: Socket) {
    fifo.on('error', () => (this.available = false));
  }

  /** Sends `signal` now (0: none) and orders SIGKILL at `killAt` (performance.now() milliseconds). False: the agent must act itself. */
  stop(signal: number, killAt: number): boolean {
    this.ordered = true;
    this.timing.deadline = killAt;
    return this.send(`stop ${signal} ${monotonicNsAt(killAt)}\n`);
  }

  /** Brings the ordered SIGKILL forward (a later time changes nothing in the launcher). */
  moveKill(killAt: number): boolean {
    if (!this.ordered) return false;
    this.timing.deadline = Math.min(this.timing.deadline ?? Infinity, killAt);
    return this.send(`kill-at ${monotonicNsAt(killAt)}\n`);
  }

  /** A report line of the launcher about its stop deadline or the exit; false when it is not one. */
  onReport(word: string, rest: string[]): boolean {
    if (word === 'signalled') this.signalledAt = dateOfMonotonicNs(rest[1]);
    else if (word === 'killed') {
      this.timing.killSent = perfOfMonotonicNs(rest[0]);
      this.resolveKilled((this.killedAt = dateOfMonotonicNs(rest[0])));
    } else if (word === 'exited') {
      this.timing.exitSeen = performance.now();
      this.timing.exited = perfOfMonotonicNs(rest[1]);
    } else if (word === 'no-deadline') this.available = false;
    else return false;
    return true;
  }

  close(): void {
    this.available = false;
    this.fifo.destroy();
  }

  private send(line: string): boolean {
    if (!this.available || !this.fifo.writable) return false;
    this.fifo.write(line);
    return true;
  }
}

/** performance.now() milliseconds as CLOCK_MONOTONIC nanoseconds (both monotonic, one offset apart). */
export function monotonicNsAt(perfMs: number): bigint {
  const ns = process.hrtime.bigint() + BigInt(Math.round((perfMs - performance.now()) * 1e6));
  return ns > 0n ? ns : 1n;
}

/** A launcher's CLOCK_MONOTONIC nanoseconds as performance.now() milliseconds; now if it is no number. */
export function perfOfMonotonicNs(text: string | undefined): number {
  if (!text || !/^\d+$/.test(text)) return performance.now();
  return performance.now() - Number(process.hrtime.bigint() - BigInt(text)) / 1e6;
}

/** A launcher's CLOCK_MONOTONIC nanoseconds as wall-clock time; now if it is no number. */
export function dateOfMonotonicNs(text: string | undefined): Date {
  if (!text || !/^\d+$/.test(text)) return new Date();
  const agoMs = Number(process.hrtime.bigint() - BigInt(text)) / 1e6;
  return new Date(Date.now() - Math.max(0, agoMs));
}

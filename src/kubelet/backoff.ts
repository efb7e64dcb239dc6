/**
 * CrashLoopBackOff for one container (SEMANTICS §3): the first restart is immediate, then the delay
 * doubles from `initialMs` up to `maxMs`, measured from the previous exit; a container that ran for
 * twice the cap since its last start resets the curve.
 */
export class RestartBackoff {
  /** Delay the next restart will wait; 0 while the curve is at its start. */
  private nextDelayMs = 0;

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  /** Called on every exit that will be followed by a restart; returns how long to wait from the exit. */
  onExit(ranForMs: number): number {
    if (ranForMs >= 2 * this.maxMs) this.nextDelayMs = 0;
    const delay = this.nextDelayMs;
    this.nextDelayMs = delay === 0 ? this.initialMs : Math.min(delay * 2, this.maxMs);
    this.lastDelayMs = delay;
    return delay;
  }

  /** The delay the last onExit returned. */
  lastDelayMs = 0;

  /** The curve's position, persisted so an agent restart does not reset a crash loop's back-off. */
  snapshot(): { nextDelayMs: number; lastDelayMs: number } {
    return { nextDelayMs: this.nextDelayMs, lastDelayMs: this.lastDelayMs };
  }

  restore(s: { nextDelayMs: number; lastDelayMs: number }): void {
    this.nextDelayMs = Math.min(Math.max(0, s.nextDelayMs), this.maxMs);
    this.lastDelayMs = s.lastDelayMs;
  }
}

/** The restart delays of a container that keeps crashing right after start. */
export function backoffCurve(initialMs: number, maxMs: number, restarts: number): number[] {
  const b = new RestartBackoff(initialMs, maxMs);
  return Array.from({ length: restarts }, () => b.onExit(0));
}

/**
 * Which probe ticks a record keeps: every transition (a result unlike the previous one), the first
 * few ticks of a run of equal results, then about nine per decade (10, 20..90, 100, 200..). A 1 s
 * probe succeeding for an hour keeps ~26 ticks, not 3600, and a flapping one keeps every flip.
 */
export const KEEP_FIRST_TICKS = 5;

export function keepTick(run: number): boolean {
  if (run <= KEEP_FIRST_TICKS) return true;
  const decade = 10 ** Math.max(1, Math.floor(Math.log10(run)));
  return run % decade === 0;
}

/** The run counter of one probe of one container instance. */
export class ProbeRun {
  private last?: string;
  private count = 0;

  /** Counts the tick; answers its number in the run when the record keeps it, else undefined. */
  tick(result: string): number | undefined {
    if (result === this.last) this.count++;
    else {
      this.last = result;
      this.count = 1;
    }
    return keepTick(this.count) ? this.count : undefined;
  }
}

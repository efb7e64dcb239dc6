/**
 * Every count and window of the bench, in one place: `npm run bench` uses FULL, `--quick` (the
 * smoke run `npm test` includes) QUICK. Convention: each case takes its sizes as plain arguments,
 * and run.ts passes them from here; a new case adds its fields to BenchSizes and both tables.
 */
export interface BenchSizes {
  /** Floors: spawns of each command. */
  floorRuns: number;
  /** startLatency.ts: `tinylet run` with /usr/bin/date, runs. */
  cliClockRuns: number;
  /** Comparison: start runs per side and container count, after one discarded warm-up run if `startWarmup`. */
  startRuns: number;
  startWarmup: boolean;
  memoryPods: number;
  sigkillRuns: number;
  teardownPods: number;
  crashLoopWindowMs: number;
  /** signalTiming.ts: pods deleted together (deadline -> SIGKILL sent, -> exit seen). */
  signalTimingPods: number;
  /** signalTimingUnderWriteback: skipped when 0 (it writes 1 GB). */
  writebackPods: number;
  probePods: number;
  probeWarmupMs: number;
  probeWindowMs: number;
  rssCycles: number;
  rssPods: number;
  /** imagePull.ts: skipped when 0 (it runs a registry). */
  imagePullRuns: number;
  /** Whether podman runs beside tinylet (when installed). */
  podman: boolean;
}

export const FULL: BenchSizes = {
  floorRuns: 20,
  cliClockRuns: 5,
  startRuns: 5,
  startWarmup: true,
  memoryPods: 10,
  sigkillRuns: 5,
  teardownPods: 20,
  crashLoopWindowMs: 60_000,
  signalTimingPods: 100,
  writebackPods: 100,
  probePods: 100,
  probeWarmupMs: 10_000,
  probeWindowMs: 20_000,
  rssCycles: 5,
  rssPods: 100,
  imagePullRuns: 3,
  podman: true,
};

export const QUICK: BenchSizes = {
  floorRuns: 3,
  cliClockRuns: 1,
  startRuns: 1,
  startWarmup: false,
  memoryPods: 2,
  sigkillRuns: 1,
  teardownPods: 3,
  crashLoopWindowMs: 4_000,
  signalTimingPods: 2,
  writebackPods: 0,
  probePods: 3,
  probeWarmupMs: 1_500,
  probeWindowMs: 3_000,
  rssCycles: 2,
  rssPods: 3,
  imagePullRuns: 0,
  podman: false,
};

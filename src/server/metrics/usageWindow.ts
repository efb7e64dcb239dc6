// CPU usage is a rate: two readings of cumulative CPU time, and the time between them. metrics-server
// reports the rate over its scrape window and says so (PodMetrics `window`, `timestamp` = the
// window's end). tinylet has no scraper: each metrics request reads every container it reports,
// and keeps that reading as the start of the next request's window. So the first request (or
// one after a long pause, or after a container restarted) would have no start: it reads twice,
// MIN_WINDOW_MS apart, rather than report 0 (as a single pidusage call did) or an average since
// the container started. All containers of one pod share one window; all pods of one request one end.
import type { UsageReading } from './containerUsage.js';

/** The shortest window: long enough for /proc's 10 ms ticks to give the rate within ~5% of a core. */
export const MIN_WINDOW_MS = 250;
/** A start older than this is stale: what `top` shows should be recent use, not a long average. */
export const MAX_WINDOW_MS = 60_000;

export interface ContainerTarget {
  name: string;
  /** Names one container instance (its PID and cgroup): a restarted container starts a new window. */
  identity: string;
  read(): UsageReading | undefined;
}

export interface PodTarget {
  /** The start readings are kept per key (the pod worker); a new worker starts afresh. */
  key: object;
  containers: ContainerTarget[];
}

export interface ContainerUsageRate {
  name: string;
  nanoCores: number;
  memoryBytes: number;
}

export interface PodUsage {
  /** Epoch ms of the window's end (the second reading). */
  timestamp: number;
  windowMs: number;
  containers: ContainerUsageRate[];
}

interface Baseline {
  /** performance.now() of the readings. */
  at: number;
  readings: Map<string, { identity: string; reading: UsageReading }>;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How much longer the shortest window must run to reach MIN_WINDOW_MS. */
const remaining = (starts: Baseline[]) => Math.max(0, ...starts.map((s) => MIN_WINDOW_MS - (now() - s.at)));

export class UsageSampler {
  private readonly baselines = new WeakMap<object, Baseline>();

  /** A usable start for the pod: every container read in the last window of this pod, none restarted since. */
  private startOf(pod: PodTarget, t: number): Baseline | undefined {
    const b = this.baselines.get(pod.key);
    if (!b || t - b.at > MAX_WINDOW_MS) return undefined;
    return pod.containers.every((c) => b.readings.get(c.name)?.identity === c.identity) ? b : undefined;
  }

  private read(pod: PodTarget): Baseline {
    const readings = new Map<string, { identity: string; reading: UsageReading }>();
    for (const c of pod.containers) {
      const reading = c.read();
      if (reading) readings.set(c.name, { identity: c.identity, reading });
    }
    return { at: now(), readings };
  }

  /** The usage of each pod over its window (undefined for a pod none of whose containers could be read). */
  async measure(pods: readonly PodTarget[]): Promise<(PodUsage | undefined)[]> {
    const t0 = now();
    const starts = pods.map((p) => this.startOf(p, t0) ?? this.read(p));
    // libuv's timers count whole milliseconds, so a timer may fire just short of a fractional wait:
    // wait again until every window really is MIN_WINDOW_MS long.
    for (let wait = remaining(starts); wait > 0; wait = remaining(starts)) await sleep(Math.ceil(wait));
    const ends = pods.map((p) => this.read(p));
    const wall = Date.now();
    return pods.map((p, i) => {
      const start = starts[i]!;
      const end = ends[i]!;
      this.baselines.set(p.key, end);
      const windowMs = end.at - start.at;
      const containers: ContainerUsageRate[] = [];
      for (const c of p.containers) {
        const a = start.readings.get(c.name);
        const b = end.readings.get(c.name);
        if (!a || !b || a.identity !== b.identity) continue;
        const cpuNs = Math.max(0, b.reading.cpuNs - a.reading.cpuNs);
        containers.push({ name: c.name, nanoCores: Math.round((cpuNs * 1000) / windowMs), memoryBytes: b.reading.memoryBytes });
      }
      return containers.length > 0 ? { timestamp: wall, windowMs, containers } : undefined;
    });
  }
}

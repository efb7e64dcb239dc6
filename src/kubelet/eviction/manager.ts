import type { Pod } from '../../api/types.js';
import { isCriticalPod } from './criticalPod.js';
import { hasLocalStorageLimits, localStorageEviction } from './localStorage.js';
import { IMMEDIATE_EVICTION_GRACE_SECONDS } from './messages.js';
import { measurePod } from './podStorageStats.js';

/** A pod as the eviction manager sees it (a PodWorker). */
export interface EvictablePod {
  readonly pod: Pod;
  /** Finished or being deleted: nothing to evict. */
  readonly finished: boolean;
  readonly deleting: boolean;
  /** Fails the pod with reason Evicted and the message, its containers stopped within the grace. */
  evict(message: string, graceSeconds: number): void;
}

/**
 * The local-storage part of the kubelet's eviction manager: every monitoring period (the kubelet's
 * evictionMonitoringPeriod, 10 s) the pods that have ephemeral-storage limits or emptyDir
 * sizeLimits are measured one after the other, and each one over a limit is evicted with the
 * kubelet's message and its 1 s grace. A round still walking when the next is due makes that one
 * skip, so a slow disk never stacks walks. Node pressure (DiskPressure, ranking pods) is not here:
 * tinylet has no Node object yet.
 */
export class EvictionManager {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly stateDir: string,
    private readonly periodMs: number,
    private readonly pods: () => EvictablePod[],
  ) {}

  start(): void {
    if (this.timer) return;
    // A config built by hand without the key would otherwise make a 1 ms timer.
    const period = Number.isFinite(this.periodMs) && this.periodMs >= 100 ? this.periodMs : 10_000;
    this.timer = setInterval(() => void this.synchronize(), period);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round; resolves when done (the timer's rounds never overlap). Never rejects. */
  synchronize(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    for (const w of this.pods()) {
      try {
        if (w.finished || w.deleting || !hasLocalStorageLimits(w.pod)) continue;
        const stats = await measurePod(this.stateDir, w.pod);
        if (w.finished || w.deleting) continue;
        const message = localStorageEviction(w.pod, stats);
        if (!message) continue;
        if (isCriticalPod(w.pod)) {
          console.error(`tinylet: eviction manager: cannot evict a critical pod ${w.pod.metadata?.namespace}/${w.pod.metadata?.name}: ${message}`);
          continue;
        }
        w.evict(message, IMMEDIATE_EVICTION_GRACE_SECONDS);
      } catch (err) {
        console.error(`tinylet: eviction manager: ${w.pod.metadata?.namespace}/${w.pod.metadata?.name}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }
}

import type { ProbeKind, ProbeResult } from './types.js';
import type { ProbeSettings } from './settings.js';
import { cancel, gridMs, runAt } from './clock.js';

export interface WorkerOptions {
  kind: ProbeKind;
  settings: ProbeSettings;
  /** Milliseconds since epoch when the container instance started: initialDelaySeconds counts from here. */
  startedAt: number;
  /** One probe attempt (events already recorded); unknown means it could not run. */
  probe: () => Promise<ProbeResult>;
  /** The probe's published result changed (thresholds applied). */
  onChange: (result: ProbeResult) => void;
}

/** Results before the first probe decides: not ready, alive, not yet started. */
export const initialResults: Record<ProbeKind, ProbeResult> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

/**
 * worker.go: the loop of one probe of one container instance. It probes after initialDelaySeconds and
 * then every periodSeconds on the shared probe clock (a tick that finds the last probe still running
 * is skipped, as a Go ticker drops ticks), counts equal results in a row against successThreshold and
 * failureThreshold, and publishes changes. A liveness or startup failure, and a startup success, end
 * the worker: a new instance gets new workers.
 */
export class ProbeWorker {
  private slot = 0;
  private next = 0;
  private busy = false;
  private done = false;
  private current: ProbeResult;
  private last: ProbeResult = 'unknown';
  private run = 0;

  constructor(private readonly o: WorkerOptions) {
    this.current = initialResults[o.kind];
  }

  get stopped(): boolean {
    return this.done;
  }

  get result(): ProbeResult {
    return this.current;
  }

  start(): void {
    const now = performance.now();
    this.next = now + Math.max(0, this.o.startedAt + this.o.settings.initialDelaySeconds * 1000 - Date.now());
    this.slot = runAt(this.next, this.tick);
    this.next = this.slot * gridMs; // on the grid from here on: periods are whole seconds
  }

  stop(): void {
    this.done = true;
    cancel(this.slot, this.tick);
  }

  private readonly tick = (): void => {
    if (this.done) return;
    const now = performance.now();
    while (this.next <= now + 1) this.next += this.o.settings.periodSeconds * 1000;
    this.slot = runAt(this.next, this.tick);
    if (this.busy) return;
    this.busy = true;
    this.probeOnce().then(
      (keepGoing) => {
        this.busy = false;
        if (!keepGoing) this.stop();
      },
      (err: unknown) => {
        this.busy = false;
        console.error(`tinylet: ${this.o.kind} probe worker:`, err);
      },
    );
  };

  /** doProbe: one probe and its bookkeeping. Answers whether the worker should go on. */
  async probeOnce(): Promise<boolean> {
    const result = await this.o.probe();
    if (this.done) return false;
    if (result === 'unknown') return true; // a probe error: the result is thrown away
    if (result === this.last) this.run++;
    else {
      this.last = result;
      this.run = 1;
    }
    const { successThreshold, failureThreshold } = this.o.settings;
    if ((result === 'failure' && this.run < failureThreshold) || (result === 'success' && this.run < successThreshold)) return true;
    if (result !== this.current) {
      this.current = result;
      this.o.onChange(result);
    }
    if (this.o.kind === 'liveness') return result !== 'failure';
    return this.o.kind === 'readiness';
  }
}

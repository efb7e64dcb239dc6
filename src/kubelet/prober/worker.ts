import type { ProbeKind, ProbeResult } from './types.js';
import type { ProbeSettings } from './settings.js';

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
 * then every periodSeconds (a tick that finds the last probe still running is skipped), counts equal
 * results in a row against successThreshold/failureThreshold, and publishes changes. A liveness or
 * startup failure, and a startup success, end the worker: a new instance gets new workers.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
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
    const { initialDelaySeconds, periodSeconds } = this.o.settings;
    const delay = Math.max(0, this.o.startedAt + initialDelaySeconds * 1000 - Date.now());
    this.timer = setTimeout(() => {
      if (this.done) return;
      this.timer = setInterval(this.tick, periodSeconds * 1000);
      this.tick();
    }, delay);
  }

  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private readonly tick = (): void => {
    if (this.busy || this.done) return;
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
    else [this.last, this.run] = [result, 1];
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

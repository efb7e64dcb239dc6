// HTTP load during the delete (--load): what a Service's clients see while the pod shuts down.
// Requests go out at a fixed rate (--rps) with at most --concurrency in flight, each on a new
// connection (no keep-alive): a client that connects anew is what a Service's other clients are, and
// a refused or reset connection is then counted once, for the request that met it.
import http from 'node:http';
import { shutdownTiming, type ShutdownTiming } from './shutdownTiming.js';

export interface LoadFailure {
  /** ECONNRESET, ECONNREFUSED, HTTP 503, timeout... */
  error: string;
  startedBeforeStopSignal: boolean;
  /** When the request failed, relative to the first stop signal (negative: before it). */
  msFromStopSignal: number | null;
  /** When it failed, relative to the pod leaving the Service's ready endpoints (null: no Service, or not seen). */
  msFromEndpointRemoval: number | null;
}

/** The Service whose endpoints the failures are timed against, and when the pod left its ready endpoints. */
export interface EndpointRemoval {
  service: string;
  /** Epoch ms; undefined when the run did not see it. */
  removedAt: number | undefined;
  /** The load went through this Service: failures while it still listed the pod fail the check. */
  judged: boolean;
}

export interface LoadReport {
  target: string;
  ok: boolean;
  started: number;
  completed: number;
  failed: number;
  reset: number;
  /** Requests started after the first stop signal was sent. */
  afterStopSignal: number;
  /** Failed requests that had started before the stop signal: in-flight work the app dropped. What `ok` judges. */
  droppedInFlight: number;
  failures: LoadFailure[];
  /** Failures after the stop signal timed against the endpoint removal (null: no Service to time against). */
  timing: ShutdownTiming | null;
  message?: string;
}

export interface LoadSpec {
  /** As given: a URL, pod/NAME:PORT[/path] or service/NAME:PORT[/path]. */
  target: string;
  rps: number;
  concurrency: number;
  /** Per request. */
  timeoutMs: number;
}

/** pod/web:8080/healthz -> { kind: 'pod', name: 'web', port: 8080, path: '/healthz' }. */
export function parseLoadTarget(text: string): { url: string } | { kind: 'pod' | 'service'; name: string; port: number; path: string } {
  if (/^https?:\/\//.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new Error(`--load: "${text}" is not a valid URL`);
    }
    if (text.startsWith('https:')) throw new Error('--load: only http:// URLs (the load checks shutdown, not TLS)');
    return { url: text };
  }
  const m = /^(pod|po|service|svc)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\d{1,5})(\/.*)?$/.exec(text);
  const port = Number(m?.[4]);
  if (!m || port < 1 || port > 65535) throw new Error(`--load: "${text}" is not a URL, pod/NAME:PORT[/path] or service/NAME:PORT[/path]`);
  return { kind: m[1]!.startsWith('p') ? 'pod' : 'service', name: m[2]!, port, path: m[5] ?? '/' };
}

/** Drives the load once `start(url)` is called; `finish` stops it, waits for in-flight requests, and counts. */
export class HttpLoad {
  private url?: string;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly outcomes: { startedAt: number; endedAt: number; error?: string }[] = [];
  private started = 0;
  private startTimes: number[] = [];
  private message?: string;

  constructor(private readonly spec: LoadSpec) {}

  start(url: string | undefined, why?: string): void {
    if (!url) {
      this.message = why ?? 'no target to load';
      return;
    }
    this.url = url;
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.round(1000 / this.spec.rps)));
  }

  private tick(): void {
    if (this.inFlight >= this.spec.concurrency) return;
    this.inFlight++;
    this.started++;
    const startedAt = Date.now();
    this.startTimes.push(startedAt);
    const p = this.request(this.url!).then((error) => {
      this.inFlight--;
      this.outcomes.push({ startedAt, endedAt: Date.now(), ...(error ? { error } : {}) });
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private request(url: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      const req = http.get(url, { agent: false, timeout: this.spec.timeoutMs }, (res) => {
        res.resume();
        res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        res.on('end', () => resolve(res.statusCode && res.statusCode >= 500 ? `HTTP ${res.statusCode}` : undefined));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  }

  async finish(stopSignalAt: number | undefined, endpoint?: EndpointRemoval): Promise<LoadReport> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    // Counting starts at the first answer: a Service's rules may follow the pod's readiness by a
    // moment, and a request refused then says nothing about the shutdown.
    const firstAnswer = Math.min(...this.outcomes.filter((o) => !o.error).map((o) => o.endedAt));
    const counted = this.outcomes.filter((o) => !o.error || o.endedAt >= firstAnswer);
    const warmup = this.outcomes.length - counted.length;
    const failures = counted.filter((o) => o.error);
    const completed = counted.length - failures.length;
    // A request sent after the signal may fail for want of a backend (one pod, no other endpoint):
    // reported, not judged. One in flight at the signal that fails is the app's shutdown dropping it.
    // Through the Service, a request sent once the pod had left its endpoints never reached the app
    // (a new connection each, routed when it connects): no backend left, not in-flight work dropped.
    const removedAt = endpoint?.removedAt;
    const reachedApp = (f: { startedAt: number }) => !endpoint?.judged || removedAt === undefined || f.startedAt < removedAt;
    const dropped = stopSignalAt === undefined ? 0 : failures.filter((f) => f.startedAt < stopSignalAt && reachedApp(f)).length;
    const beforeSignal = stopSignalAt === undefined ? failures.length : failures.filter((f) => f.endedAt < stopSignalAt && reachedApp(f)).length;
    const timing = endpoint && stopSignalAt !== undefined ? shutdownTiming(endpoint.service, stopSignalAt, endpoint.removedAt, failures.map((f) => f.endedAt)) : null;
    // Through the Service, a request failing while the Service still listed the pod is what a
    // cluster's clients would see: judged like one dropped in flight (when the removal was seen).
    const routedToStopped = endpoint?.judged && removedAt !== undefined && timing ? timing.beforeEndpointRemoval : 0;
    return {
      target: this.spec.target,
      ok: this.url !== undefined && dropped === 0 && routedToStopped === 0 && completed > 0,
      started: this.started - warmup,
      completed,
      failed: failures.length,
      reset: failures.filter((f) => f.error === 'ECONNRESET' || f.error === 'socket hang up').length,
      afterStopSignal: stopSignalAt === undefined ? 0 : this.startTimes.filter((t) => t >= stopSignalAt).length,
      droppedInFlight: dropped,
      failures: failures.map((f) => ({
        error: f.error!,
        startedBeforeStopSignal: stopSignalAt !== undefined && f.startedAt < stopSignalAt,
        msFromStopSignal: stopSignalAt === undefined ? null : f.endedAt - stopSignalAt,
        msFromEndpointRemoval: removedAt === undefined ? null : f.endedAt - removedAt,
      })),
      timing,
      ...(this.message
        ? { message: this.message }
        : completed === 0 && this.url
          ? { message: 'no request completed: is the target right?' }
          : beforeSignal > 0
            ? { message: `${beforeSignal} request(s) failed before the stop signal was sent (before the shutdown began)` }
            : {}),
    };
  }
}

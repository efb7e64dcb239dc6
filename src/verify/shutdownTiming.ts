// Requests that failed during the shutdown, timed against the two moments that decide them: the
// stop signal (the app begins to stop) and the pod leaving its Service's ready endpoints (traffic
// moves away). A failure between the two means the app stopped accepting while the Service still
// sent it traffic: a real cluster's clients see exactly that (kube-proxy, ingresses and load
// balancers follow the EndpointSlice later still), and the usual fix is a preStop sleep.
import type { TimelineRecord } from '../timeline/record.js';

export type TimingCode = 'StoppedBeforeEndpointRemoval' | 'FailedAfterEndpointRemoval' | 'FailedBothSides' | 'NoFailures';

export interface ShutdownTiming {
  /** The Service whose EndpointSlices were followed. */
  service: string;
  /** ms from the first stop signal to the pod leaving the Service's ready endpoints (negative: before it; null: not seen). */
  endpointRemovedMs: number | null;
  /** Failed requests that ended once the shutdown was under way: at or after the stop signal or the endpoint removal, whichever came first. */
  failedDuringShutdown: number;
  firstFailureMs: number | null;
  lastFailureMs: number | null;
  /** Of those, the ones that ended before the endpoint was removed (traffic was still sent to the pod, already stopping). */
  beforeEndpointRemoval: number;
  afterEndpointRemoval: number;
  code: TimingCode;
  message: string;
  /** null when nothing needs fixing. */
  fix: string | null;
}

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms} ms`;

/**
 * When the pods left the Service's ready endpoints after their delete, as epoch ms: each pod's
 * first change from ready to not ready (or removed) at or after its delete, the latest of the
 * pods (traffic has moved once none of them is ready). Undefined when no pod was a ready endpoint.
 */
export function endpointRemovalAt(records: (TimelineRecord | undefined)[], service: string): number | undefined {
  let latest: number | undefined;
  for (const r of records) {
    if (!r) continue;
    const deleteAt = r.entries.find((e) => e.reason === 'DeleteRequested')?.t ?? 0;
    let ready = false;
    let left: number | undefined;
    for (const e of r.entries) {
      if (e.endpoint?.service !== service) continue;
      const nowReady = e.endpoint.state?.ready === true;
      if (ready && !nowReady && e.t >= deleteAt && left === undefined) left = r.origin + e.t;
      ready = nowReady;
    }
    if (left !== undefined) latest = Math.max(latest ?? left, left);
  }
  return latest;
}

export function shutdownTiming(service: string, stopSignalAt: number, removedAt: number | undefined, failureEnds: number[]): ShutdownTiming {
  const from = Math.min(stopSignalAt, removedAt ?? stopSignalAt);
  const after = failureEnds.filter((t) => t >= from).map((t) => t - stopSignalAt).sort((a, b) => a - b);
  const removedMs = removedAt === undefined ? null : removedAt - stopSignalAt;
  const before = removedMs === null ? after.length : after.filter((ms) => ms < removedMs).length;
  const afterRemoval = after.length - before;
  const removal =
    removedMs === null ? 'the endpoint was not seen leaving the Service\'s ready endpoints' : `the endpoint was removed at ${signed(removedMs)}${removedMs < 0 ? ' (before the stop signal)' : ''}`;
  const base = { service, endpointRemovedMs: removedMs, failedDuringShutdown: after.length, firstFailureMs: after[0] ?? null, lastFailureMs: after[after.length - 1] ?? null, beforeEndpointRemoval: before, afterEndpointRemoval: afterRemoval };
  if (after.length === 0) return { ...base, code: 'NoFailures', message: `no request failed during the shutdown; ${removal}`, fix: null };
  const [first, last] = [after[0]!, after[after.length - 1]!];
  const span =
    first >= 0
      ? `${first}${after.length > 1 ? `–${last}` : ''} ms after the stop signal`
      : `${signed(first)}${after.length > 1 ? ` to ${signed(last)}` : ''} from the stop signal`;
  const head = `${after.length} request${after.length === 1 ? '' : 's'} failed, ${span}`;
  if (afterRemoval === 0) {
    return {
      ...base,
      code: 'StoppedBeforeEndpointRemoval',
      message: `${head}, ${after.length === 1 ? '' : 'all '}${removedMs === null ? 'while the endpoint was still listed (it was not seen leaving the Service\'s ready endpoints)' : `before ${removal}`}: the app stopped accepting before traffic moved (add a preStop sleep)`,
      fix: 'add a preStop hook that sleeps (lifecycle.preStop.sleep.seconds: 5) so the endpoint is gone before the stop signal, and keep serving after SIGTERM until in-flight requests are done',
    };
  }
  if (before === 0) {
    return {
      ...base,
      code: 'FailedAfterEndpointRemoval',
      message: `${head}, ${after.length === 1 ? '' : 'all '}after ${removal}: the Service had no ready endpoint left to send them to`,
      fix: 'run more than one replica (or roll out a new pod before this one stops) so the Service keeps a ready endpoint',
    };
  }
  return {
    ...base,
    code: 'FailedBothSides',
    message: `${head}: ${before} before ${removal} (the app stopped accepting while traffic still came), ${afterRemoval} after it (no ready endpoint left)`,
    fix: 'add a preStop sleep so the endpoint is gone before the stop signal, and keep another ready replica behind the Service',
  };
}

import type { Event, Pod } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';
import { whyNeverStarted } from './neverStarted.js';
import { shellFormHint, stopSignalHint } from './stopSignalHint.js';

export interface ContainerVerdict {
  name: string;
  exitCode?: number;
  signal?: number;
  reason?: string;
  /** SIGKILL was needed to stop it after the pod's deletion. */
  killedBySigkill: boolean;
  /** Milliseconds from the deletion's stop signal to the exit. */
  exitedAfterStopMs?: number;
}

export interface Verdict {
  ok: boolean;
  summary: string;
  containers: ContainerVerdict[];
  /** What usually fixes the failure (printed as `hint:` lines under the containers). */
  hints?: string[];
}

// An aggregated event is announced once per occurrence, each time with that occurrence's time in
// series.lastObservedTime (eventTime stays the first one's): eventTime() reads the right one.
const at = (e: Event) => eventTime(e).getTime();
const containerOf = (e: Event) => /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];

/**
 * Did the pod end well? A pod that ended by itself must have Succeeded. A deleted pod must have had
 * its app containers running (or finished with 0) when the delete came, and every container must
 * have stopped before SIGKILL was needed.
 */
export function judge(pod: Pod, events: Event[], deleted: boolean): Verdict {
  const deleteAt = deleted ? at(events.find((e) => e.reason === 'DeleteRequested') ?? events[events.length - 1]) : Infinity;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const containers = statuses.map((s): ContainerVerdict => {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    const afterDelete = events.filter((e) => containerOf(e) === s.name && at(e) >= deleteAt);
    const stop = afterDelete.find((e) => e.reason === 'Signal');
    const exit = afterDelete.find((e) => e.reason === 'Exited');
    return {
      name: s.name,
      exitCode: t?.exitCode,
      signal: t?.signal,
      reason: t?.reason ?? s.state?.waiting?.reason,
      killedBySigkill: afterDelete.some((e) => e.reason === 'ExceededGracePeriod'),
      exitedAfterStopMs: stop && exit ? at(exit) - at(stop) : undefined,
    };
  });
  // A container killed at the grace deadline needs the same fix whatever else went wrong.
  const killed = containers.filter((c) => c.killedBySigkill);
  const shellForm = killed.map((c) => shellFormHint(pod, events, c.name)).filter((h): h is string => h !== undefined);
  const hints = killed.length ? { hints: [...shellForm, stopSignalHint(pod)] } : {};
  if (!deleted) {
    const ok = pod.status?.phase === 'Succeeded';
    return { ok, containers, summary: ok ? 'PASS: the pod succeeded' : `FAIL: the pod ended in phase ${pod.status?.phase}${whyFailed(pod)}`, ...hints };
  }
  const notRunning = (pod.spec?.containers ?? []).map((c) => c.name).filter((name) => !healthyAt(name, events, deleteAt));
  if (notRunning.length > 0) {
    const names = notRunning.join(', ');
    const startedBefore = events.some((e) => containerOf(e) === notRunning[0] && e.reason === 'Started' && at(e) < deleteAt);
    if (startedBefore) {
      return { ok: false, containers, summary: `FAIL: ${names} ${notRunning.length > 1 ? 'were' : 'was'} not running when the pod was deleted (${describeWaiting(pod, notRunning[0]!)})`, ...hints };
    }
    const never = whyNeverStarted(pod, events, notRunning[0]!, deleteAt);
    const summary = never.longerFor
      ? `FAIL: ${names} ${notRunning.length > 1 ? 'were' : 'was'} not running when the pod was deleted (${never.why}: give it a longer --for)`
      : `FAIL: ${names} never started (${never.why})`;
    return { ok: false, containers, summary, ...hints };
  }
  if (killed.length === 0) {
    const overran = preStopOverruns(events, deleteAt);
    if (overran.length === 0) return { ok: true, containers, summary: 'PASS: every container stopped within its grace period' };
    return {
      ok: false,
      containers,
      summary: `FAIL: the preStop hook of ${overran.join(', ')} did not finish within the grace period, so the stop signal came only in the 2-second extension`,
      hints: ['shorten the preStop hook (a preStop sleep should leave the app time to drain) or raise terminationGracePeriodSeconds above its length'],
    };
  }
  return {
    ok: false,
    containers,
    summary: `FAIL: ${killed.map((c) => c.name).join(', ')} ignored the stop signal and had to be killed with SIGKILL (exit code 137)`,
    ...hints,
  };
}

/**
 * Containers whose preStop ran out the grace period (FailedPreStopHook for the deadline, not for a
 * failing command): they stopped, but only because the kubelet grants 2 more seconds after it.
 */
function preStopOverruns(events: Event[], deleteAt: number): string[] {
  const names = events
    .filter((e) => e.reason === 'FailedPreStopHook' && at(e) >= deleteAt && /did not finish within the grace period/.test(e.message ?? ''))
    .map((e) => containerOf(e))
    .filter((n): n is string => n !== undefined);
  return [...new Set(names)];
}

/** ` (DeadlineExceeded: ...)` or ` (app exited with code 2)`: why a pod that ended by itself failed. */
function whyFailed(pod: Pod): string {
  if (pod.status?.reason) return ` (${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''})`;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const failed = statuses.find((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  return failed ? ` (${failed.name} exited with code ${failed.state!.terminated!.exitCode})` : '';
}

/** Running at the delete, or already finished with exit code 0. */
function healthyAt(name: string, events: Event[], deleteAt: number): boolean {
  const before = events.filter((e) => containerOf(e) === name && at(e) < deleteAt && (e.reason === 'Started' || e.reason === 'Exited'));
  const last = before[before.length - 1];
  if (!last) return false;
  return last.reason === 'Started' || / exited with code 0$/.test(last.message ?? '');
}

/** A container that ran and was not running at the delete: crash-looping, or exited. */
function describeWaiting(pod: Pod, name: string): string {
  const s = pod.status?.containerStatuses?.find((c) => c.name === name);
  const t = s?.lastState?.terminated ?? s?.state?.terminated;
  const reason = s?.state?.waiting?.reason;
  if (t && reason) return `${reason}: ${name} kept failing, last exit code ${t.exitCode}`;
  if (t) return `${name} exited with code ${t.exitCode}`;
  return reason ? `${name}: ${reason}` : 'it was restarting';
}

export function describeContainerVerdict(c: ContainerVerdict): string {
  const code = c.exitCode === undefined ? 'never ran to an exit' : `exit code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
  const timing = c.exitedAfterStopMs !== undefined ? `, ${c.exitedAfterStopMs} ms after the stop signal` : '';
  return `  ${c.name}: ${code}${timing}${c.killedBySigkill ? ', killed by SIGKILL at the grace deadline' : ''}`;
}

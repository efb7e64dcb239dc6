import type { Event, Pod } from '../api/types.js';

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
}

const at = (e: Event) => new Date(e.eventTime ?? 0).getTime();
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
  if (!deleted) {
    const ok = pod.status?.phase === 'Succeeded';
    return { ok, containers, summary: ok ? 'PASS: the pod succeeded' : `FAIL: the pod ended in phase ${pod.status?.phase}` };
  }
  const notRunning = (pod.spec?.containers ?? []).map((c) => c.name).filter((name) => !healthyAt(name, events, deleteAt));
  if (notRunning.length > 0) {
    const startedBefore = events.some((e) => containerOf(e) === notRunning[0] && e.reason === 'Started' && at(e) < deleteAt);
    const why = startedBefore ? describeWaiting(pod, notRunning[0]) : 'it had not started yet: give it a longer --for';
    return { ok: false, containers, summary: `FAIL: ${notRunning.join(', ')} ${notRunning.length > 1 ? 'were' : 'was'} not running when the pod was deleted (${why})` };
  }
  const killed = containers.filter((c) => c.killedBySigkill);
  if (killed.length === 0) return { ok: true, containers, summary: 'PASS: every container stopped within its grace period' };
  return {
    ok: false,
    containers,
    summary: `FAIL: ${killed.map((c) => c.name).join(', ')} ignored the stop signal and had to be killed with SIGKILL (exit code 137)`,
  };
}

/** Running at the delete, or already finished with exit code 0. */
function healthyAt(name: string, events: Event[], deleteAt: number): boolean {
  const before = events.filter((e) => containerOf(e) === name && at(e) < deleteAt && (e.reason === 'Started' || e.reason === 'Exited'));
  const last = before[before.length - 1];
  if (!last) return false;
  return last.reason === 'Started' || / exited with code 0$/.test(last.message ?? '');
}

function describeWaiting(pod: Pod, name: string): string {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const stuck = all.find((s) => s.lastState?.terminated && s.restartCount) ?? all.find((s) => s.name === name);
  const t = stuck?.lastState?.terminated ?? stuck?.state?.terminated;
  if (stuck && t) return `${stuck.name} kept failing, last exit code ${t.exitCode}`;
  return stuck?.state?.waiting?.reason ? `${stuck.name}: ${stuck.state.waiting.reason}` : 'it was still starting';
}

export function describeContainerVerdict(c: ContainerVerdict): string {
  const code = c.exitCode === undefined ? 'never ran to an exit' : `exit code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
  const timing = c.exitedAfterStopMs !== undefined ? `, ${c.exitedAfterStopMs} ms after the stop signal` : '';
  return `  ${c.name}: ${code}${timing}${c.killedBySigkill ? ', killed by SIGKILL at the grace deadline' : ''}`;
}

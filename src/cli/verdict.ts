import type { Event, Pod } from '../api/types.js';

export interface ContainerVerdict {
  name: string;
  exitCode?: number;
  signal?: number;
  reason?: string;
  killedBySigkill: boolean;
  stopSignalAt?: number;
  exitedAfterStopMs?: number;
}

export interface Verdict {
  ok: boolean;
  summary: string;
  containers: ContainerVerdict[];
}

/**
 * Did the pod end well? A pod that ended by itself must have Succeeded; a deleted pod must have
 * stopped every container before SIGKILL was needed.
 */
export function judge(pod: Pod, events: Event[], deleted: boolean): Verdict {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const containers = statuses.map((s): ContainerVerdict => {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    const mine = events.filter((e) => e.involvedObject.fieldPath?.endsWith(`{${s.name}}`));
    const killed = mine.some((e) => e.reason === 'ExceededGracePeriod');
    const signalEvent = [...mine].reverse().find((e) => e.reason === 'Signal');
    const exitEvent = [...mine].reverse().find((e) => e.reason === 'Exited');
    const stopAt = signalEvent ? new Date(signalEvent.eventTime!).getTime() : undefined;
    const exitAt = exitEvent ? new Date(exitEvent.eventTime!).getTime() : undefined;
    return {
      name: s.name,
      exitCode: t?.exitCode,
      signal: t?.signal,
      reason: t?.reason ?? s.state?.waiting?.reason,
      killedBySigkill: killed,
      stopSignalAt: stopAt,
      exitedAfterStopMs: stopAt !== undefined && exitAt !== undefined && exitAt >= stopAt ? exitAt - stopAt : undefined,
    };
  });
  if (!deleted) {
    const ok = pod.status?.phase === 'Succeeded';
    return { ok, containers, summary: ok ? 'PASS: the pod succeeded' : `FAIL: the pod ended in phase ${pod.status?.phase}` };
  }
  const started = new Set(events.filter((e) => e.reason === 'Started').map((e) => /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1]));
  const neverStarted = (pod.spec?.containers ?? []).filter((c) => !started.has(c.name)).map((c) => c.name);
  if (neverStarted.length > 0) {
    return { ok: false, containers, summary: `FAIL: ${neverStarted.join(', ')} never started (the pod was deleted while ${describeWaiting(pod)})` };
  }
  const killed = containers.filter((c) => c.killedBySigkill);
  if (killed.length === 0) return { ok: true, containers, summary: 'PASS: every container stopped within its grace period' };
  return {
    ok: false,
    containers,
    summary: `FAIL: ${killed.map((c) => c.name).join(', ')} ignored the stop signal and had to be killed with SIGKILL (exit code 137)`,
  };
}

function describeWaiting(pod: Pod): string {
  const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s) => s.lastState?.terminated || s.state?.waiting);
  return waiting ? `${waiting.name} was not able to run` : 'it was still starting';
}

export function describeContainerVerdict(c: ContainerVerdict): string {
  const code = c.exitCode === undefined ? 'never ran to an exit' : `exit code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
  const timing = c.exitedAfterStopMs !== undefined ? `, ${c.exitedAfterStopMs} ms after the stop signal` : '';
  return `  ${c.name}: ${code}${timing}${c.killedBySigkill ? ', killed by SIGKILL at the grace deadline' : ''}`;
}

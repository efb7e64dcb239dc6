// kubectl's READY / STATUS / RESTARTS columns for a pod, derived the way the API server's printPod
// does it (pkg/printers/internalversion/printers.go, Kubernetes 1.35). The three columns come out of
// one pass over the container statuses because they interact: a sidecar that has started counts
// as "done" for Init:N/M and as a ready container, and restarts of plain init containers stop
// counting once the pod is initialized.
import type { Container, ContainerStatus, Pod, PodCondition } from '../types.js';
import { toMillis, translateTimestampSince } from './duration.js';

export interface PodSummary {
  /** Ready containers (app containers plus started, ready sidecars). */
  ready: number;
  /** spec.containers plus sidecars (init containers with restartPolicy: Always). */
  total: number;
  /** The STATUS column. */
  reason: string;
  restarts: number;
  /** finishedAt (epoch ms) of the most recent lastState.terminated among counted containers. */
  lastRestart?: number;
}

/** kubectl 1.29+: an init container with restartPolicy Always is a sidecar. */
export function isSidecar(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  // Like the Go helpers: the first condition of that type decides.
  const c = conditions?.find((x) => x.type === type);
  return c?.status === 'True';
}

function lastTermination(cs: ContainerStatus): number | undefined {
  return toMillis(cs.lastState?.terminated?.finishedAt);
}

const later = (a: number | undefined, b: number | undefined) =>
  b !== undefined && (a === undefined || b > a) ? b : a;

/** The STATUS reason for a terminated container: its reason, else Signal:N, else ExitCode:N. */
function terminatedReason(t: NonNullable<ContainerStatus['state']>['terminated'], prefix: string): string {
  if (t?.reason) return prefix + t.reason;
  if (t?.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${t?.exitCode ?? 0}`;
}

export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  let restarts = 0;
  let sidecarRestarts = 0;
  let ready = 0;
  let total = spec?.containers?.length ?? 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  // A pod held back by scheduling gates says so instead of "Pending".
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isSidecar(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const sidecar = isSidecar(initSpecs.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTermination(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(cs));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) reason = terminatedReason(term, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    // Once initialized, only sidecar restarts still matter among the init containers.
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    let errorReason = '';
    const statuses = status.containerStatuses ?? [];
    // Last to first, so the first container's reason is the one left standing.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTermination(cs));
      const term = cs.state?.terminated;
      if (cs.state?.waiting?.reason) {
        reason = cs.state.waiting.reason;
      } else if (term) {
        reason = terminatedReason(term, '');
        if ((term.exitCode ?? 0) !== 0) errorReason = reason;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A completed first container must not hide siblings that still run, or one that failed
    // (the errorReason rule arrived in 1.35, kubernetes/kubernetes#124766).
    if (reason === 'Completed') {
      if (hasRunning && conditionTrue(status.conditions, 'Ready')) reason = 'Running';
      else if (errorReason) reason = errorReason;
      else if (hasRunning) reason = 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp) {
    // SEMANTICS.md §1: "Terminating whenever a deletion timestamp is set". kubectl >= 1.27 keeps
    // the reason of a pod already in phase Succeeded/Failed; we follow the project's contract.
    reason = 'Terminating';
  }

  return { ready, total, reason, restarts, lastRestart };
}

/** kubectl's STATUS column. */
export function podStatusReason(pod: Pod): string {
  return summarizePod(pod).reason;
}

/** kubectl's READY column, "ready/total". */
export function podReadyCount(pod: Pod): string {
  const s = summarizePod(pod);
  return `${s.ready}/${s.total}`;
}

/** kubectl's RESTARTS column: "0", or "3 (42s ago)" when a restarted container has a last exit time. */
export function podRestarts(pod: Pod, now: number): string {
  return formatRestarts(summarizePod(pod), now);
}

export function formatRestarts(s: PodSummary, now: number): string {
  if (s.restarts !== 0 && s.lastRestart !== undefined) {
    return `${s.restarts} (${translateTimestampSince(s.lastRestart, now)} ago)`;
  }
  return String(s.restarts);
}

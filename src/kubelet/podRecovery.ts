// Recreating a pod after an agent restart, as the kubelet recreates a lost sandbox: same object (uid,
// creation time), a new sandbox, every container started again with its restartCount carried on
// (the next start counts as a restart), its last state kept, and a crash loop's back-off honoured.
// The instance that ran when the agent went shows as lastState: its real end if a graceful stop
// recorded it; otherwise Unknown/255 at the time of death, as containerd reports a container whose
// task vanished (after a node reboot).
import type { ContainerState, ContainerStatus, Pod } from '../api/types.js';
import { rfc3339 } from '../api/time.js';
import type { Kubelet } from './kubelet.js';
import type { PodWorker } from './podWorker.js';

export interface RecoveredContainer {
  instances: number;
  backoff?: { nextDelayMs: number; lastDelayMs: number };
  backoffUntil?: number;
  /** Its end, recorded by a graceful agent stop. */
  stopped?: NonNullable<ContainerState['terminated']>;
}

const LOST = 'The container was stopped with the previous tinylet agent (its processes die with the agent)';

/**
 * How the instance running at the agent's end ended: as recorded by a graceful stop, or lost at
 * `diedAt` (the agent's last sign of life), never before the instance started.
 */
function endState(status: ContainerStatus, c: RecoveredContainer | undefined, diedAt: Date): ContainerState {
  if (c?.stopped) return { terminated: c.stopped };
  const startedAt = status.state?.running?.startedAt;
  const started = startedAt ? Date.parse(startedAt) : NaN;
  const finishedAt = rfc3339(new Date(Number.isNaN(started) ? diedAt.getTime() : Math.max(started, diedAt.getTime())));
  return { terminated: { exitCode: 255, reason: 'Unknown', message: LOST, ...(startedAt ? { startedAt } : {}), finishedAt, ...(status.containerID ? { containerID: status.containerID } : {}) } };
}

export function recreatePod(kubelet: Kubelet, stored: Pod, containers: Record<string, RecoveredContainer>, diedAt: Date): PodWorker {
  const { status: old, ...rest } = stored;
  const gates = new Set((rest.spec?.readinessGates ?? []).map((g) => g.conditionType));
  const pod: Pod = { ...rest, status: { phase: 'Pending', conditions: (old?.conditions ?? []).filter((c) => gates.has(c.type)) } };
  kubelet.createPod(pod);
  const worker = kubelet.getWorker(pod.metadata!.namespace!, pod.metadata!.name!)!;
  const statuses = [...(old?.initContainerStatuses ?? []), ...(old?.containerStatuses ?? [])];
  for (const r of worker.records) {
    const st = statuses.find((s) => s.name === r.name);
    const c = containers[r.name];
    if (!st) continue;
    r.restartCount = st.restartCount ?? 0;
    const ran = st.state?.running || st.state?.terminated || st.lastState?.terminated;
    r.instances = c?.instances ?? (ran ? r.restartCount + 1 : 0);
    if (c?.backoff) r.backoff.restore(c.backoff);
    if (st.state?.running) r.lastState = endState(st, c, diedAt);
    else if (st.state?.terminated) r.lastState = { terminated: st.state.terminated };
    else if (st.lastState?.terminated) r.lastState = st.lastState;
    if (c?.backoffUntil && c.backoffUntil > Date.now()) r.resumeAt = c.backoffUntil;
  }
  restoreEphemeral(worker, old?.ephemeralContainerStatuses ?? [], containers, diedAt);
  worker.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
  worker.refreshStatus();
  return worker;
}

/**
 * Ephemeral containers keep their status and are not started in the new sandbox (the kubelet starts
 * only those that have none): one that ran when the agent went is terminated as any lost container.
 */
function restoreEphemeral(worker: PodWorker, statuses: ContainerStatus[], containers: Record<string, RecoveredContainer>, diedAt: Date): void {
  for (const st of statuses) {
    const r = worker.records.find((x) => x.role === 'ephemeral' && x.name === st.name);
    if (!r) continue;
    const c = containers[r.name];
    r.restartCount = st.restartCount ?? 0;
    r.instances = c?.instances ?? (st.state?.running || st.state?.terminated ? 1 : 0);
    r.image = st.image || r.image;
    r.imageID = st.imageID ?? '';
    r.containerID = st.containerID ?? '';
    r.state = st.state?.running ? endState(st, c, diedAt) : (st.state ?? r.state);
    r.lastState = st.lastState ?? {};
  }
}

/**
 * A `restartPolicy: Never` pod whose containers had started is not run again (the kubelet does not
 * recreate its sandbox): it ends Failed, its lost containers terminated.
 */
export function failedAfterRestart(stored: Pod, containers: Record<string, RecoveredContainer>, diedAt: Date): Pod {
  const st = stored.status ?? {};
  const lostAt = rfc3339(diedAt);
  const lose = (s: ContainerStatus): ContainerStatus =>
    s.state?.running || s.state?.waiting ? { ...s, ready: false, started: false, state: endState(s, containers[s.name], diedAt) } : s;
  return {
    ...stored,
    status: {
      ...st,
      phase: 'Failed',
      reason: 'AgentRestarted',
      message: 'The pod\'s processes stopped with the previous tinylet agent and its restartPolicy is Never',
      conditions: (st.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: lostAt } : c)),
      ...(st.initContainerStatuses ? { initContainerStatuses: st.initContainerStatuses.map(lose) } : {}),
      containerStatuses: (st.containerStatuses ?? []).map(lose),
      ...(st.ephemeralContainerStatuses ? { ephemeralContainerStatuses: st.ephemeralContainerStatuses.map(lose) } : {}),
    },
  };
}

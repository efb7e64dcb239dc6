import type { ContainerStatus, PodCondition, PodStatus } from '../api/types.js';
import type { ContainerRecord } from './containerRecord.js';
import { rfc3339 } from '../api/time.js';

export interface PodFacts {
  restartPolicy: string;
  records: ContainerRecord[];
  podIP?: string;
  hostIP: string;
  startTime?: string;
  /** Set when the pod failed for a pod-level reason (init failure with Never, deadline). */
  failed?: { reason?: string; message?: string };
  readinessGates: string[];
  /** Conditions set by others (readiness gates), keyed by type. */
  extraConditions: PodCondition[];
  initDone: boolean;
  /**
   * The pod is being deleted (podIsTerminal once its containers are stopped): since Kubernetes 1.27
   * a deleted pod whose containers all stopped ends Succeeded or Failed, whatever its restartPolicy.
   */
  terminal?: boolean;
}

/** The kubelet's getPhase (SEMANTICS §1). */
export function podPhase(f: PodFacts): string {
  if (f.failed) return 'Failed';
  // Ephemeral containers take no part in the phase (getPhase looks at init and app containers only).
  const inits = f.records.filter(isInitRole);
  const apps = f.records.filter((r) => r.role === 'app');
  for (const r of inits) {
    const t = r.state.terminated;
    if (r.role === 'sidecar') continue;
    if (t && t.exitCode !== 0 && f.restartPolicy === 'Never') return 'Failed';
  }
  if (!f.initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const r of apps) {
    if (r.state.running) running++;
    else if (r.state.terminated) {
      stopped++;
      if (r.state.terminated.exitCode === 0) succeeded++;
    } else if (r.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    // All containers are in the process of restarting, unless the pod is terminal.
    if (f.restartPolicy === 'Always' && !f.terminal) return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (f.restartPolicy === 'Never' || f.terminal) return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function containerStatus(r: ContainerRecord): ContainerStatus {
  const status: ContainerStatus = {
    name: r.name,
    state: r.state,
    lastState: r.lastState,
    ready: r.ready,
    restartCount: r.restartCount,
    image: r.image,
    imageID: r.imageID,
    started: r.started,
  };
  if (r.containerID) status.containerID = r.containerID;
  return status;
}

const isInitRole = (r: ContainerRecord): boolean => r.role === 'init' || r.role === 'sidecar';

/**
 * An ephemeral container's status as the kubelet reports it: never ready (it is not part of the
 * pod's readiness), and no `started` (the prober manager only sets it on init and app containers).
 */
export function ephemeralContainerStatus(r: ContainerRecord): ContainerStatus {
  const { started: _started, ...status } = containerStatus(r);
  return { ...status, ready: false };
}

/** Conditions keep their lastTransitionTime until their status changes. */
export class ConditionTracker {
  private readonly current = new Map<string, PodCondition>();

  set(type: string, value: boolean, reason?: string, message?: string, at = new Date()): void {
    const prev = this.current.get(type);
    if (prev && prev.status === (value ? 'True' : 'False') && prev.reason === reason) return;
    this.replace(type, value, reason, message, at);
  }

  /** Like set, but a new message (the scheduler's next FailedScheduling reason) replaces the old one. */
  replace(type: string, value: boolean, reason?: string, message?: string, at = new Date()): void {
    const status = value ? 'True' : 'False';
    const prev = this.current.get(type);
    const time = rfc3339(at);
    this.current.set(type, {
      type,
      status,
      lastProbeTime: null as unknown as undefined,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    });
  }

  list(): PodCondition[] {
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    return [...this.current.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  }
}

export function buildPodStatus(f: PodFacts, conditions: ConditionTracker): PodStatus {
  const phase = podPhase(f);
  const apps = f.records.filter((r) => r.role === 'app');
  const inits = f.records.filter(isInitRole);
  const ephemeral = f.records.filter((r) => r.role === 'ephemeral');
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const notReady = apps.filter((r) => !r.ready).concat(inits.filter((r) => r.role === 'sidecar' && !r.ready));
  const containersReady = !terminal && f.initDone && notReady.length === 0;
  const reasonNotReady = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const msg = notReady.length ? `containers with unready status: [${notReady.map((r) => r.name).join(' ')}]` : undefined;
  // GeneratePodInitializedCondition: a pod without init containers is Initialized from its first status.
  const initialized = f.initDone || inits.length === 0;
  conditions.set('Initialized', initialized, initialized ? undefined : 'ContainersNotInitialized', initialized ? undefined : `containers with incomplete status: [${inits.filter((r) => !r.state.terminated && r.role === 'init').map((r) => r.name).join(' ')}]`);
  conditions.set('ContainersReady', containersReady, containersReady ? undefined : reasonNotReady, containersReady || terminal ? undefined : msg);
  const gatesFalse = f.readinessGates.filter((g) => f.extraConditions.find((c) => c.type === g)?.status !== 'True');
  const ready = containersReady && gatesFalse.length === 0;
  const readyReason = ready ? undefined : terminal ? 'PodCompleted' : containersReady ? 'ReadinessGatesNotReady' : reasonNotReady;
  const readyMsg = ready || terminal ? undefined : containersReady ? `corresponding condition of pod readiness gate "${gatesFalse[0]}" does not exist.` : msg;
  conditions.set('Ready', ready, readyReason, readyMsg);
  const status: PodStatus = {
    phase,
    conditions: [...conditions.list(), ...f.extraConditions],
    hostIP: f.hostIP,
    hostIPs: [{ ip: f.hostIP }],
    qosClass: 'BestEffort',
  };
  if (f.podIP) {
    status.podIP = f.podIP;
    status.podIPs = [{ ip: f.podIP }];
  }
  if (f.startTime) status.startTime = f.startTime;
  if (f.failed?.reason) status.reason = f.failed.reason;
  if (f.failed?.message) status.message = f.failed.message;
  if (inits.length) status.initContainerStatuses = inits.map(containerStatus);
  status.containerStatuses = apps.map(containerStatus);
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral.map(ephemeralContainerStatus);
  return status;
}

/**
 * The status of a pod the kubelet has not synced yet: what the API server stored at its creation
 * (phase Pending, the QoS class) and the scheduler's PodScheduled. No container statuses, so
 * kubectl's STATUS column reads "Pending" (printPod starts from the phase). A pod the kubelet's
 * admission rejects keeps this shape: rejectPod writes only phase Failed, reason and message.
 */
export function unsyncedPodStatus(conditions: ConditionTracker, extraConditions: PodCondition[], failed?: PodFacts['failed']): PodStatus {
  const status: PodStatus = { phase: failed ? 'Failed' : 'Pending', conditions: [...conditions.list(), ...extraConditions], qosClass: 'BestEffort' };
  if (failed?.reason) status.reason = failed.reason;
  if (failed?.message) status.message = failed.message;
  return status;
}

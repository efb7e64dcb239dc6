// The kubelet's node conditions (pkg/kubelet/nodestatus: MemoryPressureCondition,
// DiskPressureCondition, PIDPressureCondition, ReadyCondition): each with its heartbeat, and a
// transition time that moves only when its status does. Pressure is judged against the kubelet's
// default hard eviction thresholds (memory.available < 100Mi, nodefs.available < 10%,
// nodefs.inodesFree < 5%); tinylet sets no PID threshold, as the kubelet by default.
import type { NodeCondition } from 'kubernetes-types/core/v1.js';

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

interface ConditionText {
  type: string;
  /** When the condition is True, when False. */
  reasons: [string, string];
  messages: [string, string];
  /** The node event of each status (NodeHasSufficientMemory...). */
  events: [string, string];
}

const TEXTS: ConditionText[] = [
  {
    type: 'MemoryPressure',
    reasons: ['KubeletHasInsufficientMemory', 'KubeletHasSufficientMemory'],
    messages: ['kubelet has insufficient memory available', 'kubelet has sufficient memory available'],
    events: ['NodeHasInsufficientMemory', 'NodeHasSufficientMemory'],
  },
  {
    type: 'DiskPressure',
    reasons: ['KubeletHasDiskPressure', 'KubeletHasNoDiskPressure'],
    messages: ['kubelet has disk pressure', 'kubelet has no disk pressure'],
    events: ['NodeHasDiskPressure', 'NodeHasNoDiskPressure'],
  },
  {
    type: 'PIDPressure',
    reasons: ['KubeletHasInsufficientPID', 'KubeletHasSufficientPID'],
    messages: ['kubelet has insufficient PID available', 'kubelet has sufficient PID available'],
    events: ['NodeHasInsufficientPID', 'NodeHasSufficientPID'],
  },
  {
    type: 'Ready',
    reasons: ['KubeletReady', 'KubeletNotReady'],
    messages: ['kubelet is posting ready status', 'kubelet is not ready'],
    events: ['NodeReady', 'NodeNotReady'],
  },
];

export const MEMORY_PRESSURE_BYTES = 100 * 1024 * 1024;

export function pressureOf(memoryAvailable: number | undefined, diskFree: { bytes: number; inodes: number }): Pressure {
  return { memory: memoryAvailable !== undefined && memoryAvailable < MEMORY_PRESSURE_BYTES, disk: diskFree.bytes < 0.1 || diskFree.inodes < 0.05, pid: false };
}

/**
 * The four conditions at `now` (an RFC 3339 time), from the previous ones, and the node events of
 * the conditions that changed (all of them on the first call: the kubelet records them at its start).
 */
export function nodeConditions(prev: readonly NodeCondition[] | undefined, pressure: Pressure, now: string, first: boolean): { conditions: NodeCondition[]; events: string[] } {
  const truth: Record<string, boolean> = { MemoryPressure: pressure.memory, DiskPressure: pressure.disk, PIDPressure: pressure.pid, Ready: true };
  const events: string[] = [];
  const conditions = TEXTS.map((t): NodeCondition => {
    const value = truth[t.type]!;
    const status = value ? 'True' : 'False';
    const i = value ? 0 : 1;
    const old = prev?.find((c) => c.type === t.type);
    if (first || old?.status !== status) events.push(t.events[i]!);
    return {
      type: t.type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
      reason: t.reasons[i]!,
      message: t.messages[i]!,
    };
  });
  return { conditions, events };
}

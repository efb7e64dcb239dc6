import type { Container, Pod } from '../../api/types.js';
import type { EventType } from '../events.js';
import type { ContainerTimelineSink } from '../timeline/sink.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** What a probe needs to reach one running instance of a container. */
export interface ProbeTarget {
  /** The pod as it is now (status.podIP, spec.hostNetwork). */
  pod(): Pod;
  container: Container;
  /** Host PID of the container's main process: exec probes enter its namespaces. */
  pid: number;
  /** The container's launcher spec: exec probes run with the container's identity. */
  specPath: string;
  /** The container's environment (exec probes run with it). */
  env: Record<string, string>;
  /** Milliseconds since epoch when this instance started (initialDelaySeconds counts from here). */
  startedAt: number;
  /** The pod's timeline record for this container (probe ticks, hooks, the kill deadline). */
  timeline?: ContainerTimelineSink;
}

/** How probe outcomes reach the pod worker, which alone decides what happens to the container. */
export interface ProbeCallbacks {
  /** The startup probe succeeded (or there is none): liveness and readiness may start. */
  onStarted(): void;
  onReadinessChanged(ready: boolean): void;
  /** Liveness or startup failed failureThreshold times: the container must be killed. */
  onFailure(kind: 'liveness' | 'startup', gracePeriodSeconds: number | undefined): void;
  recordEvent(type: EventType, reason: string, message: string): void;
}

/** The probe workers of one container instance. */
export interface ContainerProbes {
  /** Deletion began: liveness and startup stop, readiness goes on. */
  stopLivenessAndStartup(): void;
  /** The instance is gone: every worker stops. */
  stop(): void;
}

import type { Container, ContainerState } from '../api/types.js';
import type { ContainerCgroup } from '../runtime/cgroups.js';
import type { ContainerProcess } from '../runtime/launch.js';
import type { StopTiming } from '../runtime/stopControl.js';
import type { RestartBackoff } from './backoff.js';
import type { ContainerProbes } from './prober/types.js';

/** 'ephemeral': spec.ephemeralContainers, added to a running pod (ephemeralContainers.ts), never restarted. */
export type ContainerRole = 'init' | 'sidecar' | 'app' | 'ephemeral';

/** The facts the pod worker keeps about one container, from which its status is computed. */
export interface ContainerRecord {
  name: string;
  spec: Container;
  role: ContainerRole;
  /** spec.containers[i] / spec.initContainers[i], for events' fieldPath. */
  fieldPath: string;
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  /** Number of instances started so far (the log file of instance n is `${n}.log`). */
  instances: number;
  ready: boolean;
  started: boolean;
  image: string;
  imageID: string;
  containerID: string;
  process?: ContainerProcess;
  env: Record<string, string>;
  /** The command line of the current instance, after ENTRYPOINT/CMD and $(VAR) expansion. */
  argv: string[];
  probes?: ContainerProbes;
  backoff: RestartBackoff;
  /** Set while a kill is in progress, so concurrent kill requests (delete + liveness) share it. */
  killing?: Promise<void>;
  /** The timing of the last stop signal sent (its SIGKILL deadline, the SIGKILL, the exit), kept after the exit. */
  lastStop?: StopTiming;
  /** While a kill is in progress: brings its deadline forward to `graceSeconds` from now, if that is sooner. */
  shortenKill?: (graceSeconds: number) => void;
  /** The current instance's cgroup, when it has resources.limits. */
  cgroup?: ContainerCgroup;
  /** The image's STOPSIGNAL, used when lifecycle.stopSignal is not set. */
  imageStopSignal?: string;
  /** Held while an instance runs on a pulled or loaded image's root (imageStore.ts lease). */
  imageLease?: () => void;
  /** Back-off of failed image resolutions (ErrImagePull/ImagePullBackOff), while they fail. */
  imagePullBackoff?: RestartBackoff;
  /** Killed because its spec changed through an API update: start it again whatever the restart policy. */
  restartForSpecChange?: boolean;
  /** Epoch ms before which the container must not start (a back-off carried over an agent restart). */
  resumeAt?: number;
  /**
   * Set while an instance is being created (its log file may appear any moment, it has no process
   * yet). The status does not say so: it keeps the state the container had (ContainerCreating,
   * CrashLoopBackOff, the last exit...) until the process runs, as the kubelet's does.
   */
  creating?: boolean;
}

/**
 * The state of a container before its first instance, as the kubelet's convertToAPIContainerStatuses
 * defaults it: waiting ContainerCreating, or PodInitializing for every container (init ones
 * included) of a pod with init containers.
 */
export function defaultWaitingReason(hasInitContainers: boolean): string {
  return hasInitContainers ? 'PodInitializing' : 'ContainerCreating';
}

export function newRecord(spec: Container, role: ContainerRole, fieldPath: string, backoff: RestartBackoff, waitingReason: string): ContainerRecord {
  return {
    name: spec.name,
    spec,
    role,
    fieldPath,
    state: { waiting: { reason: waitingReason } },
    lastState: {},
    restartCount: 0,
    instances: 0,
    ready: false,
    started: false,
    image: spec.image ?? '',
    imageID: '',
    containerID: '',
    env: {},
    argv: [],
    backoff,
  };
}

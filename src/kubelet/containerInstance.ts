import type { Pod } from '../api/types.js';
import { ImagePullError, InvalidImageNameError, type ResolvedImage } from '../runtime/images/imageConfig.js';
import type { ContainerProcess } from '../runtime/launch.js';
import type { LogLine } from '../runtime/logs/criFormat.js';
import { describeExit, type ProcessExit } from '../runtime/signals.js';
import { RestartBackoff } from './backoff.js';
import type { ContainerRecord } from './containerRecord.js';
import { startInstance, type StartContext } from './containerStarter.js';
import { ImageNeverPullError } from './images/imageErrors.js';
import { missingPullSecretsMessage, podPullSecrets } from './images/pullSecrets.js';
import { CreateContainerError } from './createContainerError.js';
import { envObjectRefs } from './envSources.js';
import { sleepOrObjectChange, type ObjectRef } from './objectWait.js';
import type { EventType } from './events.js';
import { runLifecycleHandler } from './hooks.js';
import type { KubeletContext } from './kubeletContext.js';
import { startContainerLog } from './containerLog.js';
import { startContainerProbes } from './prober/manager.js';
import type { ProbeTarget } from './prober/types.js';
import { sleep } from './sleep.js';
import { rfc3339 } from '../api/time.js';

/** What one container instance needs from its pod worker. */
export interface InstanceHost {
  readonly pod: Pod;
  readonly kl: KubeletContext;
  readonly deleting: boolean;
  /** Aborted when the pod stops (deletion, completion, failure): back-off sleeps end early. */
  readonly stopSignal: AbortSignal;
  startContext(): StartContext;
  /** Runs the start of an instance in the pod's start order (startQueue.ts); undefined once the pod stops. */
  startTurn<T>(r: ContainerRecord, start: () => Promise<T>): Promise<T | undefined>;
  event(type: EventType, reason: string, message: string, r?: ContainerRecord): void;
  setState(r: ContainerRecord, state: ContainerRecord['state']): void;
  /** Readiness or started changed without a state change. */
  statusChanged(): void;
  kill(r: ContainerRecord, graceSeconds: number, message: string): Promise<void>;
  podGrace(): number;
  targetOf(r: ContainerRecord, proc: ContainerProcess): ProbeTarget;
  logLine(r: ContainerRecord, line: Omit<LogLine, 'timestamp'>): void;
}

export type InstanceOutcome = { exitCode: number; ranForMs: number } | 'stop' | 'retry-image';

/**
 * One instance of a container, from image resolution to its exit. It never throws: whatever goes wrong
 * is this container's state (StartError, CreateContainerError...), for the pod worker to act on.
 */
export async function runInstance(host: InstanceHost, r: ContainerRecord): Promise<InstanceOutcome> {
  try {
    return await startAndWatch(host, r);
  } catch (err) {
    return instanceFailed(host, r, err);
  }
}

/**
 * The start of an instance, done in the pod's start turn: its process running (postStart done),
 * or what to do once the turn is over (a back-off to sleep, the outcome for the pod worker).
 */
type StartResult = { proc: ContainerProcess; logs: Promise<void> } | { after: () => Promise<InstanceOutcome> };

const outcome = (o: InstanceOutcome): StartResult => ({ after: async () => o });

async function startAndWatch(host: InstanceHost, r: ContainerRecord): Promise<InstanceOutcome> {
  const started = await host.startTurn(r, () => startOne(host, r));
  if (started === undefined) return 'stop';
  if ('after' in started) return started.after();
  const exit = await started.proc.exited;
  await started.logs;
  return finishInstance(host, r, started.proc, exit);
}

/** startContainer: the image, the container, its start and its postStart hook. */
async function startOne(host: InstanceHost, r: ContainerRecord): Promise<StartResult> {
  let image;
  // Read at each start, as the kubelet's SyncPod does (a secret created later is used by the next try).
  const pullSecrets = podPullSecrets(host.pod, host.kl.objects);
  if (pullSecrets.missing.length > 0) host.event('Warning', 'FailedToRetrieveImagePullSecret', missingPullSecretsMessage(pullSecrets.missing));
  try {
    image = await host.kl.images.ensureImageExists(r.spec.image ?? '', r.spec.imagePullPolicy, (type, reason, message) => host.event(type, reason, message, r), pullSecrets.secrets);
  } catch (err) {
    if (err instanceof InvalidImageNameError) return invalidImageName(host, r, err);
    if (err instanceof ImageNeverPullError) return neverPull(host, r, err);
    if (err instanceof ImagePullError) return imagePullFailed(host, r, err);
    return outcome(startFailed(host, r, err));
  }
  // The pod may have been deleted during a long pull: it must not start then.
  if (host.stopSignal.aborted) return outcome('stop');
  r.imagePullBackoff = undefined;
  r.image = image.reference;
  r.imageID = image.imageID;
  r.imageStopSignal = image.config.stopSignal;
  if (r.instances > 0) r.restartCount++;
  r.ready = false;
  // No state change here: until the process runs the status keeps what it showed (ContainerCreating
  // or PodInitializing for a first start, CrashLoopBackOff or the last exit for a restart), as the
  // kubelet's, which only knows containers the runtime has.
  const instance = r.instances++;
  let proc: ContainerProcess;
  r.creating = true;
  try {
    proc = await startInstance(host.startContext(), r, image);
  } catch (err) {
    if (err instanceof CreateContainerError) return configFailed(host, r, err);
    return outcome(startFailed(host, r, err));
  } finally {
    r.creating = false;
  }
  r.process = proc;
  // Rotated, and never failing the agent on a full disk (containerLog.ts).
  const logs = startContainerLog(host, r, instance, proc);
  host.event('Normal', 'Created', `Created container ${r.name}`, r);
  host.event('Normal', 'Started', `Started container ${r.name}`, r);
  host.event('Normal', 'ProcessStarted', `Container ${r.name} is running as pid ${proc.pid}: ${describeArgv(r)}${describeImage(image)}`, r);
  // Deleted while it was being created: killed now, after the events of its start, as the kubelet
  // (whose sync finishes the start before the termination kills) never reports killing a
  // container it has not reported created.
  if (host.deleting) void host.kill(r, host.pod.metadata!.deletionGracePeriodSeconds ?? 0, `Stopping container ${r.name}`);
  if (await runPostStart(host, r, proc)) {
    // Without a startup probe a running container is started (and ready without a readiness probe).
    // A plain init container is not ready while it runs, only once it has succeeded.
    if (!r.spec.startupProbe) {
      r.started = true;
      r.ready = !r.spec.readinessProbe && r.role !== 'init';
    }
    host.setState(r, { running: { startedAt: rfc3339(proc.startedAt) } });
    r.probes = startProbes(host, r, proc);
    if (host.deleting) r.probes.stopLivenessAndStartup();
  }
  return { proc, logs };
}

function startProbes(host: InstanceHost, r: ContainerRecord, proc: ContainerProcess) {
  return startContainerProbes(host.targetOf(r, proc), {
    onStarted: () => {
      r.started = true;
      if (!r.spec.readinessProbe && r.role !== 'init') r.ready = true;
      host.statusChanged();
    },
    onReadinessChanged: (ready) => {
      r.ready = ready && r.started;
      host.statusChanged();
    },
    onFailure: (kind, grace) => {
      void host.kill(r, grace ?? host.podGrace(), `Container ${r.name} failed ${kind} probe, will be restarted`);
    },
    recordEvent: (type, reason, message) => host.event(type, reason, message, r),
  });
}

/** Where the image came from, and the ports it exposes (what `docker inspect` would show; `describe` lists the events). */
function describeImage(image: ResolvedImage): string {
  const source = { host: 'host-backed (tinylet catalog)', pulled: 'pulled', loaded: 'loaded' }[image.source];
  const ports = image.exposedPorts?.length ? `, exposes ${image.exposedPorts.join(' ')}` : '';
  return `; image ${source}${ports}`;
}

function describeArgv(r: ContainerRecord): string {
  const text = JSON.stringify(r.argv);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function finishInstance(host: InstanceHost, r: ContainerRecord, proc: ContainerProcess, exit: ProcessExit & { finishedAt: Date }): InstanceOutcome {
  r.probes?.stop();
  r.probes = undefined;
  r.process = undefined;
  r.ready = r.role === 'init' && exit.exitCode === 0;
  r.started = false;
  const oomKilled = r.cgroup?.oomKilled() === true && exit.signal === 9;
  r.cgroup?.remove();
  r.cgroup = undefined;
  releaseImage(r);
  const how = oomKilled ? `was OOM-killed at its memory limit (exit code ${exit.exitCode})` : describeExit(exit);
  host.event(exit.exitCode === 0 ? 'Normal' : 'Warning', 'Exited', `Container ${r.name} (pid ${proc.pid}) ${how}`, r);
  host.setState(r, {
    terminated: {
      exitCode: exit.exitCode,
      ...(exit.signal ? { signal: exit.signal } : {}),
      reason: oomKilled ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: rfc3339(proc.startedAt),
      finishedAt: rfc3339(exit.finishedAt),
      containerID: r.containerID,
    },
  });
  return { exitCode: exit.exitCode, ranForMs: exit.finishedAt.getTime() - proc.startedAt.getTime() };
}

/** ErrImagePull now; after the turn, ImagePullBackOff for the rest of the back-off, then another try. */
function imagePullFailed(host: InstanceHost, r: ContainerRecord, err: Error): StartResult {
  if (!r.imagePullBackoff) {
    const { initialDelayMs, maxContainerRestartPeriodMs } = host.kl.config.crashLoopBackOff;
    r.imagePullBackoff = new RestartBackoff(initialDelayMs, maxContainerRestartPeriodMs);
    r.imagePullBackoff.onExit(0);
  }
  host.event('Warning', 'Failed', err.message, r);
  host.event('Warning', 'Failed', 'Error: ErrImagePull', r);
  host.setState(r, { waiting: { reason: 'ErrImagePull', message: err.message } });
  const delay = r.imagePullBackoff.onExit(0);
  return {
    after: async () => {
      if (!(await sleep(Math.min(1000, delay), host.stopSignal))) return 'stop';
      host.setState(r, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${r.spec.image}"` } });
      host.event('Normal', 'BackOff', `Back-off pulling image "${r.spec.image}"`, r);
      host.event('Warning', 'Failed', 'Error: ImagePullBackOff', r);
      if (!(await sleep(Math.max(0, delay - 1000), host.stopSignal))) return 'stop';
      return 'retry-image';
    },
  };
}

/**
 * Not an image reference (`$PRIVATE_IMAGE_NAME`): EnsureImageExists fails before any pull, with an
 * InspectFailed event and ErrInvalidImageName, which startContainer reports as "Error:
 * InvalidImageName". No pull back-off applies: the container stays waiting InvalidImageName and the
 * next sync tries again, after the pod worker's back-off period for a failed sync (the kubelet's
 * backOffPeriod, 10 s, also the first CrashLoopBackOff delay). An update of the image is picked up then.
 */
function invalidImageName(host: InstanceHost, r: ContainerRecord, err: InvalidImageNameError): StartResult {
  host.event('Warning', 'InspectFailed', err.message, r);
  host.event('Warning', 'Failed', 'Error: InvalidImageName', r);
  host.setState(r, { waiting: { reason: 'InvalidImageName', message: err.message } });
  return retryAfterSyncBackoff(host);
}

/**
 * ErrImageNeverPull: not an error of the pull (there was none), so no pull back-off: the container
 * waits with the reason and the next sync, after the pod worker's back-off period, looks again (an
 * image loaded meanwhile is found then).
 */
function neverPull(host: InstanceHost, r: ContainerRecord, err: ImageNeverPullError): StartResult {
  host.event('Warning', 'Failed', 'Error: ErrImageNeverPull', r);
  host.setState(r, { waiting: { reason: 'ErrImageNeverPull', message: err.message } });
  return retryAfterSyncBackoff(host);
}

/**
 * The container's config could not be made (runAsNonRoot, a bad capability or seccomp profile, a
 * missing ConfigMap or Secret key): no container was created, so, as with the kubelet, it is no
 * restart and no CrashLoopBackOff: the container stays waiting with the reason, and the pod worker
 * tries again after its back-off period (10 s by default), picking up a fixed spec, or as soon as a
 * ConfigMap or Secret its environment reads changes (the kubelet waits for its next sync).
 */
function configFailed(host: InstanceHost, r: ContainerRecord, err: CreateContainerError): StartResult {
  r.instances--;
  if (r.instances > 0) r.restartCount--;
  host.event('Warning', 'Failed', `Error: ${err.message}`, r);
  host.setState(r, { waiting: { reason: err.reason, message: err.message } });
  return retryAfterSyncBackoff(host, envObjectRefs(r.spec));
}

/** The instance never ran: CreateContainerError stays waiting, anything else is a StartError as containerd reports it. */
function startFailed(host: InstanceHost, r: ContainerRecord, err: unknown): InstanceOutcome {
  if (err instanceof CreateContainerError) {
    host.event('Warning', 'Failed', `Error: ${err.message}`, r);
    host.setState(r, { waiting: { reason: err.reason, message: err.message } });
    return { exitCode: 1, ranForMs: 0 };
  }
  const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: ${errorText(err)}: unknown`;
  host.event('Warning', 'Failed', `Error: ${message}`, r);
  host.setState(r, { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z', finishedAt: rfc3339(new Date()), containerID: r.containerID } });
  return { exitCode: 128, ranForMs: 0 };
}

/**
 * Another try after the pod worker's back-off period for a failed sync (the kubelet's backOffPeriod),
 * or once one of `refs` (objects the container reads) changes.
 */
function retryAfterSyncBackoff(host: InstanceHost, refs: ObjectRef[] = []): StartResult {
  const retryMs = host.kl.config.crashLoopBackOff.initialDelayMs;
  const ns = host.pod.metadata?.namespace ?? 'default';
  // Subscribed now, not once the start turn is over: a change in between must not be missed.
  const wait = sleepOrObjectChange(host.kl.objects, ns, refs, retryMs, host.stopSignal);
  return { after: async () => ((await wait) ? 'retry-image' : 'stop') };
}

/** The instance no longer uses its image's root: `image prune` may take it. */
function releaseImage(r: ContainerRecord): void {
  r.imageLease?.();
  r.imageLease = undefined;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The backstop for an error no step above expected (a log file that cannot be opened, a bug): a
 * process that did start is stopped and its exit recorded with the error; otherwise a StartError.
 */
async function instanceFailed(host: InstanceHost, r: ContainerRecord, err: unknown): Promise<InstanceOutcome> {
  const proc = r.process;
  r.probes?.stop();
  r.probes = undefined;
  if (!proc) {
    r.cgroup?.remove();
    r.cgroup = undefined;
    releaseImage(r);
    return startFailed(host, r, err);
  }
  const message = `failed to run container: ${errorText(err)}`;
  host.event('Warning', 'Failed', `Error: ${message}`, r);
  await host.kill(r, 0, `Stopping container ${r.name}`);
  const exit = await proc.exited;
  r.process = undefined;
  r.ready = false;
  r.started = false;
  r.cgroup?.remove();
  r.cgroup = undefined;
  releaseImage(r);
  host.setState(r, {
    terminated: { exitCode: exit.exitCode, reason: 'Error', message, startedAt: rfc3339(proc.startedAt), finishedAt: rfc3339(exit.finishedAt), containerID: r.containerID },
  });
  return { exitCode: exit.exitCode, ranForMs: exit.finishedAt.getTime() - proc.startedAt.getTime() };
}

/** postStart blocks the container from being reported running; a failure kills it. */
async function runPostStart(host: InstanceHost, r: ContainerRecord, proc: ContainerProcess): Promise<boolean> {
  const hook = r.spec.lifecycle?.postStart;
  if (!hook) return true;
  const res = await runLifecycleHandler(hook, { target: host.targetOf(r, proc), hook: 'postStart' });
  if (res.ok) return true;
  host.event('Warning', 'FailedPostStartHook', res.message, r);
  await host.kill(r, host.podGrace(), 'FailedPostStartHook');
  return false;
}

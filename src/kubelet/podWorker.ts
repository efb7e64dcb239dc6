import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { ImagePullError } from '../runtime/images/imageConfig.js';
import { StartError, type ContainerProcess } from '../runtime/launch.js';
import { startSandbox, stopSandbox, type Sandbox } from '../runtime/sandbox.js';
import { describeExit, type ProcessExit } from '../runtime/signals.js';
import { preparePodVolumes, removePodVolumes } from '../runtime/volumes.js';
import { writeCriLog } from '../runtime/logs/criWriter.js';
import { RestartBackoff } from './backoff.js';
import { newRecord, type ContainerRecord } from './containerRecord.js';
import { CreateContainerError, resolveImage, startInstance } from './containerStarter.js';
import { formatGoDuration } from './duration.js';
import type { EventType } from './events.js';
import { runLifecycleHandler } from './hooks.js';
import type { KubeletContext } from './kubeletContext.js';
import { writePodFiles } from './podFiles.js';
import { containerLogPath, podDir } from './podPaths.js';
import { buildPodStatus, ConditionTracker } from './podStatus.js';
import { startContainerProbes } from './prober/manager.js';
import type { ProbeTarget } from './prober/types.js';
import { resumeDelay, shouldRestart } from './restartPolicy.js';
import { sleep } from './sleep.js';
import { killContainer, stopSignalOf, type KillContext } from './termination.js';

const DELETED_POD_LOG_RETENTION_MS = 60_000;

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One serialized state machine per pod: sandbox, init containers, app containers with their hooks,
 * probes and restarts, then termination. It is the only writer of the pod's status.
 */
export class PodWorker {
  pod: Pod;
  readonly records: ContainerRecord[];
  sandbox?: Sandbox;
  private net: { ip?: string; hostVeth?: string } = {};
  private volumeSources = new Map<string, string>();
  private podBinds: string[] = [];
  private initDone = false;
  private failed?: { reason?: string; message?: string };
  private completed = false;
  private readonly conditions = new ConditionTracker();
  private stop = new AbortController();
  private sandboxLost = false;
  private terminating?: Promise<void>;
  private imageStopSignals = new Map<string, string | undefined>();
  private startTime?: string;
  /** The worker has nothing left to do: the pod completed, or its deletion is done. */
  finished = false;
  /** Resolves when the worker is finished: the pod completed, or was deleted and its sandbox removed. */
  readonly done: Promise<void>;

  constructor(
    pod: Pod,
    private readonly kl: KubeletContext,
  ) {
    this.pod = pod;
    const backoff = () => new RestartBackoff(kl.config.crashLoopBackOff.initialDelayMs, kl.config.crashLoopBackOff.maxContainerRestartPeriodMs);
    const spec = pod.spec!;
    this.records = [
      ...(spec.initContainers ?? []).map((c, i) => newRecord(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', `spec.initContainers{${c.name}}`, backoff(), c.image ?? '')),
      ...spec.containers.map((c) => newRecord(c, 'app', `spec.containers{${c.name}}`, backoff(), c.image ?? '')),
    ];
    this.conditions.set('PodScheduled', true);
    this.refreshStatus();
    this.done = this.run();
  }

  get key(): string {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  get deleting(): boolean {
    return this.pod.metadata?.deletionTimestamp !== undefined;
  }

  private get stopping(): boolean {
    return this.deleting || this.completed || this.failed !== undefined || this.sandboxLost;
  }

  event(type: EventType, reason: string, message: string, r?: ContainerRecord): void {
    this.kl.events.record(this.pod, type, reason, message, r?.fieldPath);
  }

  refreshStatus(): void {
    this.pod = {
      ...this.pod,
      status: buildPodStatus(
        {
          restartPolicy: this.pod.spec!.restartPolicy ?? 'Always',
          records: this.records,
          podIP: this.net.ip ?? (this.pod.spec?.hostNetwork && this.sandbox ? this.kl.hostIP : undefined),
          hostIP: this.kl.hostIP,
          startTime: this.startTime,
          failed: this.failed,
          readinessGates: (this.pod.spec!.readinessGates ?? []).map((g) => g.conditionType),
          extraConditions: (this.pod.status?.conditions ?? []).filter((c) => (this.pod.spec!.readinessGates ?? []).some((g) => g.conditionType === c.type)),
          initDone: this.initDone,
        },
        this.conditions,
      ),
    };
    this.kl.changed(this);
  }

  private async run(): Promise<void> {
    this.event('Normal', 'Scheduled', `Successfully assigned ${this.key} to ${this.kl.config.nodeName}`);
    this.startTime = rfc3339(new Date());
    this.startedAtMs = Date.now();
    this.scheduleDeadline();
    const sandboxBackoff = new RestartBackoff(this.kl.config.crashLoopBackOff.initialDelayMs, this.kl.config.crashLoopBackOff.maxContainerRestartPeriodMs);
    for (;;) {
      if (!(await this.createSandboxWithRetry(sandboxBackoff))) break;
      if (await this.runInitContainers()) {
        this.initDone = true;
        this.refreshStatus();
        await Promise.all(this.records.filter((r) => r.role === 'app').map((r) => this.containerLoop(r)));
      }
      if (!this.sandboxLost || this.deleting || this.failed) break;
      // The kubelet kills what is left of the pod and starts over: new sandbox, init containers again.
      await this.terminating;
      await Promise.all(this.sidecarLoops);
      await this.teardownSandbox();
      this.sandboxLost = false;
      this.initDone = false;
      this.sidecarLoops = [];
      this.terminating = undefined;
      this.stop = new AbortController();
    }
    if (!this.deleting) {
      this.completed = true;
      this.stop.abort();
      await this.stopSidecars(this.pod.spec!.terminationGracePeriodSeconds ?? 30, 'Stopping container');
    }
    await this.terminating;
    await Promise.all(this.sidecarLoops);
    clearTimeout(this.deadlineTimer);
    await this.teardownSandbox();
    // A deleted pod's logs stay readable for a minute (kubectl logs right after a delete), then go.
    if (this.deleting) {
      const dir = podDir(this.kl.config.stateDir, this.pod);
      rmSync(join(dir, 'files'), { recursive: true, force: true });
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), DELETED_POD_LOG_RETENTION_MS).unref();
    }
    this.refreshStatus();
    this.finished = true;
  }

  /** Sandbox creation failures are retried with the back-off while the pod stays Pending. */
  private async createSandboxWithRetry(backoff: RestartBackoff): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      try {
        await this.createSandbox();
        this.watchSandbox(this.sandbox!);
        return true;
      } catch (err) {
        this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        if (!(await sleep(Math.max(1000, backoff.onExit(0)), this.stop.signal))) return false;
      }
    }
  }

  /** A pause process that dies on its own takes the pod's network with it: the kubelet recreates the pod. */
  private watchSandbox(sandbox: Sandbox): void {
    void sandbox.exited.then(() => {
      if (this.sandbox !== sandbox || this.stopping) return;
      this.sandboxLost = true;
      this.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      this.stop.abort();
      this.notifyWaiters();
      this.terminating = this.stopAllContainers(this.podGrace());
    });
  }

  private async createSandbox(): Promise<void> {
    const spec = this.pod.spec!;
    const hostname = spec.hostname ?? this.pod.metadata!.name!;
    const dir = podDir(this.kl.config.stateDir, this.pod);
    mkdirSync(dir, { recursive: true });
    this.sandbox = await startSandbox({ hostname, hostNetwork: spec.hostNetwork === true, sharePid: spec.shareProcessNamespace === true });
    try {
      if (!spec.hostNetwork) this.net = await this.kl.network.attach(this.sandbox.pid, this.pod.metadata!.uid!);
      this.volumeSources = preparePodVolumes(this.pod, dir);
      this.podBinds = writePodFiles(join(dir, 'files'), this.pod, hostname, this.net.ip);
    } catch (err) {
      await this.teardownSandbox();
      throw err;
    }
    const where = this.net.ip ? `, pod IP ${this.net.ip}` : spec.hostNetwork ? ', host network' : '';
    this.event('Normal', 'SandboxReady', `Pod sandbox created: pause pid ${this.sandbox.pid}, hostname ${hostname}${where}`);
    this.refreshStatus();
  }

  private async teardownSandbox(): Promise<void> {
    const sandbox = this.sandbox;
    if (!sandbox) return;
    this.sandbox = undefined;
    await stopSandbox(sandbox);
    await this.kl.network.detach(this.net);
    removePodVolumes(this.pod, podDir(this.kl.config.stateDir, this.pod));
    rmSync(join(podDir(this.kl.config.stateDir, this.pod), 'containers'), { recursive: true, force: true });
    this.event('Normal', 'SandboxRemoved', `Pod sandbox removed (pause pid ${sandbox.pid})`);
  }

  private sidecarLoops: Promise<void>[] = [];

  /** Init containers one at a time; sidecars start in order and keep running. False: the pod cannot go on. */
  private async runInitContainers(): Promise<boolean> {
    for (const r of this.records.filter((x) => x.role !== 'app')) {
      if (this.stopping) return false;
      if (r.role === 'sidecar') {
        const loop = this.containerLoop(r);
        this.sidecarLoops.push(loop);
        await Promise.race([loop, this.waitFor(() => r.started)]);
        continue;
      }
      await this.containerLoop(r);
      if (r.state.terminated?.exitCode !== 0) {
        if (!this.deleting && this.pod.spec!.restartPolicy === 'Never') {
          this.failed = {};
          this.stop.abort();
          this.refreshStatus();
        }
        return false;
      }
    }
    return !this.stopping;
  }

  private waiters = new Set<() => void>();

  private waitFor(cond: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (cond() || this.stopping) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Start, watch and restart one container until its restart policy or the pod says stop. */
  private async containerLoop(r: ContainerRecord): Promise<void> {
    let delayMs = resumeDelay(r); // a back-off carried over an agent restart (podRecovery.ts)
    for (;;) {
      if (this.stopping) return;
      if (delayMs > 0) {
        this.setState(r, { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${formatGoDuration(delayMs)} restarting failed container=${r.name} pod=${this.podRef()}` } });
        this.event('Warning', 'BackOff', `Back-off restarting failed container ${r.name} in pod ${this.podRef()}`, r);
        if (!(await sleep(delayMs, this.stop.signal))) return;
      }
      const outcome = await this.runInstance(r);
      if (outcome === 'retry-image') {
        delayMs = 0;
        continue;
      }
      if (outcome === 'stop' || this.stopping) return;
      if (!shouldRestart(r, this.pod.spec!.restartPolicy ?? 'Always', outcome.exitCode)) return;
      delayMs = r.backoff.onExit(outcome.ranForMs);
    }
  }

  private podRef(): string {
    const m = this.pod.metadata!;
    return `${m.name}_${m.namespace}(${m.uid})`;
  }

  private setState(r: ContainerRecord, state: ContainerRecord['state']): void {
    if (r.state.terminated && !state.terminated) r.lastState = { terminated: r.state.terminated };
    r.state = state;
    this.refreshStatus();
    this.notifyWaiters();
  }

  private imageBackoff = new Map<string, RestartBackoff>();

  /** One instance of a container, from image resolution to its exit. */
  private async runInstance(r: ContainerRecord): Promise<{ exitCode: number; ranForMs: number } | 'stop' | 'retry-image'> {
    let image;
    try {
      image = resolveImage(this.kl.images, r);
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      return this.imagePullFailed(r, err);
    }
    this.imageBackoff.delete(r.name);
    r.image = image.reference;
    r.imageID = image.imageID;
    this.imageStopSignals.set(r.name, image.config.stopSignal);
    if (r.instances > 0) r.restartCount++;
    // The kubelet's default waiting reason: init containers never show ContainerCreating.
    this.setState(r, { waiting: { reason: r.role === 'app' ? 'ContainerCreating' : 'PodInitializing' } });
    this.event('Normal', 'Pulled', `Container image "${r.spec.image}" already present on machine`, r);
    const instance = r.instances++;
    let proc: ContainerProcess;
    try {
      proc = await startInstance({ pod: this.pod, sandbox: this.sandbox!, stateDir: this.kl.config.stateDir, volumeSources: this.volumeSources, podBinds: this.podBinds }, r, image);
    } catch (err) {
      return this.startFailed(r, err as Error);
    }
    r.process = proc;
    if (this.deleting) void this.kill(r, this.pod.metadata!.deletionGracePeriodSeconds ?? 0, `Stopping container ${r.name}`);
    const logs = writeCriLog(containerLogPath(this.kl.config.stateDir, this.pod, r.name, instance), proc, (line) => this.kl.logLine(this, r, line));
    this.event('Normal', 'Created', `Created container ${r.name}`, r);
    this.event('Normal', 'Started', `Started container ${r.name}`, r);
    this.event('Normal', 'ProcessStarted', `Container ${r.name} is running as pid ${proc.pid}: ${this.describeArgv(r)}`, r);
    if (!(await this.runPostStart(r, proc))) {
      const exit = await proc.exited;
      await logs;
      return this.finishInstance(r, proc, exit);
    }
    // Without a startup probe a running container is started (and ready without a readiness probe).
    if (!r.spec.startupProbe) {
      r.started = true;
      r.ready = !r.spec.readinessProbe;
    }
    this.setState(r, { running: { startedAt: rfc3339(proc.startedAt) } });
    r.probes = startContainerProbes(
      this.targetOf(r, proc),
      {
        onStarted: () => {
          r.started = true;
          if (!r.spec.readinessProbe) r.ready = true;
          this.refreshStatus();
          this.notifyWaiters();
        },
        onReadinessChanged: (ready) => {
          r.ready = ready && r.started;
          this.refreshStatus();
        },
        onFailure: (kind, grace) => {
          void this.kill(r, grace ?? this.podGrace(), `Container ${r.name} failed ${kind} probe, will be restarted`);
        },
        recordEvent: (type, reason, message) => this.event(type, reason, message, r),
      },
    );
    if (this.deleting) r.probes.stopLivenessAndStartup();
    const exit = await proc.exited;
    await logs;
    return this.finishInstance(r, proc, exit);
  }

  private describeArgv(r: ContainerRecord): string {
    const text = JSON.stringify(r.argv);
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
  }

  private finishInstance(r: ContainerRecord, proc: ContainerProcess, exit: ProcessExit & { finishedAt: Date }): { exitCode: number; ranForMs: number } {
    r.probes?.stop();
    r.probes = undefined;
    r.process = undefined;
    r.ready = false;
    r.started = false;
    const reason = exit.exitCode === 0 ? 'Completed' : 'Error';
    this.event(exit.exitCode === 0 ? 'Normal' : 'Warning', 'Exited', `Container ${r.name} (pid ${proc.pid}) ${describeExit(exit)}`, r);
    this.setState(r, {
      terminated: {
        exitCode: exit.exitCode,
        ...(exit.signal ? { signal: exit.signal } : {}),
        reason,
        startedAt: rfc3339(proc.startedAt),
        finishedAt: rfc3339(exit.finishedAt),
        containerID: r.containerID,
      },
    });
    return { exitCode: exit.exitCode, ranForMs: exit.finishedAt.getTime() - proc.startedAt.getTime() };
  }

  private async imagePullFailed(r: ContainerRecord, err: Error): Promise<'stop' | 'retry-image'> {
    let b = this.imageBackoff.get(r.name);
    if (!b) {
      b = new RestartBackoff(this.kl.config.crashLoopBackOff.initialDelayMs, this.kl.config.crashLoopBackOff.maxContainerRestartPeriodMs);
      b.onExit(0);
      this.imageBackoff.set(r.name, b);
    }
    this.event('Warning', 'Failed', err.message, r);
    this.event('Warning', 'Failed', 'Error: ErrImagePull', r);
    this.setState(r, { waiting: { reason: 'ErrImagePull', message: err.message } });
    const delay = b.onExit(0);
    if (!(await sleep(Math.min(1000, delay), this.stop.signal))) return 'stop';
    this.setState(r, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${r.spec.image}"` } });
    this.event('Normal', 'BackOff', `Back-off pulling image "${r.spec.image}"`, r);
    this.event('Warning', 'Failed', 'Error: ImagePullBackOff', r);
    if (!(await sleep(Math.max(0, delay - 1000), this.stop.signal))) return 'stop';
    return 'retry-image';
  }

  private startFailed(r: ContainerRecord, err: Error): { exitCode: number; ranForMs: number } {
    if (err instanceof CreateContainerError) {
      this.event('Warning', 'Failed', `Error: ${err.message}`, r);
      this.setState(r, { waiting: { reason: err.reason, message: err.message } });
      return { exitCode: 1, ranForMs: 0 };
    }
    if (!(err instanceof StartError)) throw err;
    const now = rfc3339(new Date());
    const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: ${err.message}: unknown`;
    this.event('Warning', 'Failed', `Error: ${message}`, r);
    this.setState(r, { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z', finishedAt: now, containerID: r.containerID } });
    return { exitCode: 128, ranForMs: 0 };
  }

  /** postStart blocks the container from being reported running; a failure kills it. */
  private async runPostStart(r: ContainerRecord, proc: ContainerProcess): Promise<boolean> {
    const hook = r.spec.lifecycle?.postStart;
    if (!hook) return true;
    const res = await runLifecycleHandler(hook, { target: this.targetOf(r, proc) });
    if (res.ok) return true;
    this.event('Warning', 'FailedPostStartHook', res.message, r);
    await this.kill(r, this.podGrace(), 'FailedPostStartHook');
    return false;
  }

  /** One running instance as probes and hooks see it. */
  private targetOf(r: ContainerRecord, proc: ContainerProcess): ProbeTarget {
    return { pod: () => this.pod, container: r.spec, pid: proc.pid, env: r.env, startedAt: proc.startedAt.getTime() };
  }

  private podGrace(): number {
    return this.pod.spec!.terminationGracePeriodSeconds ?? 30;
  }

  private killContext(r: ContainerRecord): KillContext {
    return {
      target: (proc) => this.targetOf(r, proc),
      imageStopSignal: this.imageStopSignals.get(r.name),
      record: (type, reason, message, rec) => this.event(type, reason, message, rec),
    };
  }

  kill(r: ContainerRecord, graceSeconds: number, message: string, skipPreStop = false): Promise<void> {
    return killContainer(r, this.killContext(r), { gracePeriodSeconds: graceSeconds, message, skipPreStop });
  }

  stopSignalOf(r: ContainerRecord): string {
    return stopSignalOf(r, this.imageStopSignals.get(r.name));
  }

  /**
   * Graceful deletion (SEMANTICS §5): deletion timestamp, liveness/startup probes off, app containers
   * stopped in parallel, then sidecars; the sandbox goes once all are gone.
   */
  requestDeletion(gracePeriodSeconds: number | undefined, force = false): void {
    const grace = gracePeriodSeconds ?? this.podGrace();
    if (this.deleting) return;
    const now = new Date();
    this.pod = {
      ...this.pod,
      metadata: { ...this.pod.metadata, deletionTimestamp: rfc3339(new Date(now.getTime() + grace * 1000)), deletionGracePeriodSeconds: grace },
    };
    this.event('Normal', 'DeleteRequested', `Pod deletion requested with a grace period of ${grace}s${force ? ' (forced)' : ''}`);
    this.stop.abort();
    this.notifyWaiters();
    for (const r of this.records) r.probes?.stopLivenessAndStartup();
    this.terminating = this.stopAllContainers(grace);
    this.refreshStatus();
  }

  /** App containers in parallel, then sidecars with what is left of the grace period. */
  private async stopAllContainers(grace: number): Promise<void> {
    const started = Date.now();
    await Promise.all(this.records.filter((r) => r.role !== 'sidecar').map((r) => this.kill(r, grace, `Stopping container ${r.name}`, grace === 0)));
    const left = Math.max(0, grace - Math.floor((Date.now() - started) / 1000));
    await this.stopSidecars(left, 'Stopping container');
  }

  private startedAtMs = 0;
  private deadlineTimer?: NodeJS.Timeout;

  /** (Re)arms activeDeadlineSeconds, counted from the pod's start; an update may shorten it. */
  scheduleDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const deadline = this.pod.spec!.activeDeadlineSeconds;
    if (!deadline || this.finished) return;
    this.deadlineTimer = setTimeout(() => this.deadlineExceeded(), Math.max(0, this.startedAtMs + deadline * 1000 - Date.now()));
  }

  /** activeDeadlineSeconds: the kubelet fails the pod and stops its containers. */
  private deadlineExceeded(): void {
    if (this.finished || this.deleting || this.failed || this.completed) return;
    const message = 'Pod was active on the node longer than the specified deadline';
    this.event('Normal', 'DeadlineExceeded', message);
    this.failed = { reason: 'DeadlineExceeded', message };
    this.stop.abort();
    this.notifyWaiters();
    this.terminating = this.stopAllContainers(this.podGrace());
    this.refreshStatus();
  }

  /** Sidecars stop after the app containers, in reverse order of their start. */
  private async stopSidecars(grace: number, message: string): Promise<void> {
    this.notifyWaiters();
    for (const r of this.records.filter((x) => x.role === 'sidecar').reverse()) {
      await this.kill(r, grace, `${message} ${r.name}`, grace === 0);
    }
  }
}

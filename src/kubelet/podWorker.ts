import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import type { ContainerProcess } from '../runtime/launch.js';
import type { LogLine } from '../runtime/logs/criFormat.js';
import type { Sandbox } from '../runtime/sandbox.js';
import { RestartBackoff } from './backoff.js';
import { runInstance, type InstanceHost, type InstanceOutcome } from './containerInstance.js';
import { defaultWaitingReason, newRecord, type ContainerRecord } from './containerRecord.js';
import type { StartContext } from './containerStarter.js';
import { imageDirOf } from './config.js';
import { formatGoDuration } from './duration.js';
import type { EventType } from './events.js';
import type { KubeletContext } from './kubeletContext.js';
import { podDir } from './podPaths.js';
import { PodSandbox } from './podSandbox.js';
import { buildPodStatus, ConditionTracker, unsyncedPodStatus } from './podStatus.js';
import type { ProbeTarget } from './prober/types.js';
import { resumeDelay, shouldRestart } from './restartPolicy.js';
import { sleep } from './sleep.js';
import { killContainer, type KillContext } from './termination.js';
import { rfc3339, rfc3339After } from '../api/time.js';
import { longTimeout, type LongTimer } from '../runtime/longTimeout.js';
import { admitPod } from './admission.js';
import { StartQueue } from './startQueue.js';
import { nodeAllocatable } from './resourceFieldRef.js';
import { mountFailedMessage, PodObjectVolumes } from './volumes/podObjectVolumes.js';
import { EphemeralContainers } from './ephemeralContainers.js';
import type { EphemeralContainer } from 'kubernetes-types/core/v1.js';

const DELETED_POD_LOG_RETENTION_MS = 60_000;

/** In a timer callback a throw would be uncaught and end the agent: a directory left behind is swept later. */
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    console.error(`tinylet: could not remove ${dir}: ${(err as Error).message}`);
  }
}

/**
 * One serialized state machine per pod: sandbox, init containers, app containers with their hooks,
 * probes and restarts, then termination. It is the only writer of the pod's status.
 */
export class PodWorker implements InstanceHost {
  pod: Pod;
  readonly records: ContainerRecord[];
  private box?: PodSandbox;
  private initDone = false;
  private failed?: { reason?: string; message?: string };
  private completed = false;
  private readonly conditions = new ConditionTracker();
  private stop = new AbortController();
  private sandboxLost = false;
  private terminating?: Promise<void>;
  private startTime?: string;
  /** The worker has nothing left to do: the pod completed, or its deletion is done. */
  finished = false;
  /** Resolves when the worker is finished: the pod completed, or was deleted and its sandbox removed. */
  readonly done: Promise<void>;

  constructor(
    pod: Pod,
    readonly kl: KubeletContext,
  ) {
    this.pod = pod;
    const backoff = () => new RestartBackoff(kl.config.crashLoopBackOff.initialDelayMs, kl.config.crashLoopBackOff.maxContainerRestartPeriodMs);
    const spec = pod.spec!;
    const waiting = defaultWaitingReason((spec.initContainers ?? []).length > 0);
    this.records = [
      ...(spec.initContainers ?? []).map((c) => newRecord(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', `spec.initContainers{${c.name}}`, backoff(), waiting)),
      ...spec.containers.map((c) => newRecord(c, 'app', `spec.containers{${c.name}}`, backoff(), waiting)),
    ];
    // Only a recovered pod has some at its start (pods/ephemeralcontainers adds them later); podRecovery.ts restores their status.
    this.ephemeral.add(spec.ephemeralContainers ?? []);
    if (this.bound) this.conditions.set('PodScheduled', true);
    this.refreshStatus();
    this.done = this.run().catch((err: unknown) => this.syncFailed(err));
  }

  get key(): string {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  /** The pause process holding the pod's namespaces, while there is one. */
  get sandbox(): Sandbox | undefined {
    return this.box?.sandbox;
  }

  get stopSignal(): AbortSignal {
    return this.stop.signal;
  }

  get deleting(): boolean {
    return this.pod.metadata?.deletionTimestamp !== undefined;
  }

  private get stopping(): boolean {
    return this.deleting || this.completed || this.failed !== undefined || this.sandboxLost;
  }

  event(type: EventType, reason: string, message: string, r?: ContainerRecord, at?: Date): void {
    this.kl.events.record(this.pod, type, reason, message, r?.fieldPath, at);
  }

  /** spec.ephemeralContainers, started in the running sandbox (ephemeralContainers.ts). */
  private readonly ephemeral = new EphemeralContainers(this);

  /** pods/ephemeralcontainers took a new list (validated: the old ones unchanged): the new ones start. */
  addEphemeralContainers(list: EphemeralContainer[]): void {
    this.pod = { ...this.pod, spec: { ...this.pod.spec!, ephemeralContainers: list } };
    if (!this.finished) this.ephemeral.add(list);
    this.refreshStatus();
  }

  /** Resolves true once the pod's sandbox runs, false if the pod stops before. */
  async sandboxReady(): Promise<boolean> {
    await this.waitFor(() => this.box !== undefined);
    return this.box !== undefined && !this.stopping;
  }

  /** The kubelet has synced the pod once: its status has container statuses from then on. */
  private synced = false;
  /** App containers take turns to start (startQueue.ts). */
  private readonly startQueue = new StartQueue();

  refreshStatus(): void {
    const gates = (this.pod.spec!.readinessGates ?? []).map((g) => g.conditionType);
    // Conditions others write: the readiness gates', and DisruptionTarget (disruptionTarget.ts).
    const extraConditions = (this.pod.status?.conditions ?? []).filter((c) => gates.includes(c.type) || c.type === 'DisruptionTarget');
    if (!this.synced) {
      this.pod = { ...this.pod, status: unsyncedPodStatus(this.conditions, extraConditions, this.failed) };
      this.kl.changed(this);
      return;
    }
    this.pod = {
      ...this.pod,
      status: buildPodStatus(
        {
          restartPolicy: this.pod.spec!.restartPolicy ?? 'Always',
          records: this.records,
          podIP: this.box?.net.ip ?? (this.pod.spec?.hostNetwork && this.box ? this.kl.hostIP : undefined),
          hostIP: this.kl.hostIP,
          startTime: this.startTime,
          failed: this.failed,
          readinessGates: gates,
          extraConditions,
          initDone: this.initDone,
          terminal: this.deleting,
        },
        this.conditions,
      ),
    };
    this.kl.changed(this);
  }

  private async run(): Promise<void> {
    // The pod worker runs after the pod is created: the create's answer (and a watcher's ADDED) is
    // the API server's object, "Pending" with no container statuses, as in a cluster.
    await null;
    // Not bound yet (the scheduler found no fit): nothing starts until it is, or the pod is deleted.
    await this.waitFor(() => this.bound);
    if (!this.bound) return this.endUnscheduled();
    this.event('Normal', 'Scheduled', `Successfully assigned ${this.key} to ${this.kl.config.nodeName}`);
    if (this.rejectedAtAdmission()) return;
    // SyncPod writes the status first, before the sandbox exists: every container waits with its
    // default reason (ContainerCreating, or PodInitializing with init containers).
    this.synced = true;
    this.startTime = rfc3339(new Date());
    this.startedAtMs = Date.now();
    this.scheduleDeadline();
    this.refreshStatus();
    const sandboxBackoff = new RestartBackoff(this.kl.config.crashLoopBackOff.initialDelayMs, this.kl.config.crashLoopBackOff.maxContainerRestartPeriodMs);
    for (;;) {
      if (!(await this.mountVolumesWithRetry())) break;
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
      await this.ephemeral.settled();
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
      this.startStopClock(this.podGrace());
      await this.stopSidecars('Stopping container');
      // A completed pod's ephemeral containers stop with it (they do not keep a pod running).
      await this.ephemeral.stop(this.podGrace());
    }
    await this.terminating;
    await Promise.all(this.sidecarLoops);
    await this.ephemeral.settled();
    this.deadlineTimer?.clear();
    await this.teardownSandbox();
    // A deleted pod's logs stay readable for a minute (kubectl logs right after a delete), then go.
    if (this.deleting && !this.kl.hasSuccessor(this)) {
      const dir = podDir(this.kl.config.stateDir, this.pod);
      rmSync(join(dir, 'files'), { recursive: true, force: true });
      setTimeout(() => !this.kl.hasSuccessor(this) && removeQuietly(dir), DELETED_POD_LOG_RETENTION_MS).unref();
    }
    this.refreshStatus();
    this.finished = true;
  }

  /** Bound to a node (spec.nodeName), or no scheduler runs and the pod is this node's. */
  get bound(): boolean {
    return !!this.pod.spec?.nodeName || !this.kl.schedulesPods;
  }

  /** The scheduler's binding (pods/binding): the pod is this node's, and its worker goes on. */
  bind(nodeName: string): void {
    if (this.bound || this.deleting) return;
    this.pod = { ...this.pod, spec: { ...this.pod.spec!, nodeName } };
    this.conditions.set('PodScheduled', true);
    this.refreshStatus();
    this.notifyWaiters();
  }

  /** The scheduler's failed attempt: PodScheduled False, reason Unschedulable, with its message. */
  unschedulable(message: string): void {
    if (this.bound || this.deleting) return;
    this.conditions.replace('PodScheduled', false, 'Unschedulable', message);
    this.refreshStatus();
  }

  /** A pod deleted before it was ever bound: nothing ran, nothing to stop. */
  private async endUnscheduled(): Promise<void> {
    await this.terminating;
    this.refreshStatus();
    this.finished = true;
  }

  /**
   * The kubelet's admission (sysctls, AppArmor): a pod it cannot run as asked fails at once, with
   * its reason and "Pod was rejected: ...", and nothing of it is started.
   */
  private rejectedAtAdmission(): boolean {
    let verdict;
    try {
      verdict = admitPod(this.pod, { allowedUnsafeSysctls: this.kl.config.allowedUnsafeSysctls, appArmorEnabled: false });
    } catch (err) {
      verdict = { reason: 'UnexpectedAdmissionError', message: (err as Error).message };
    }
    if (!verdict) return false;
    this.event('Warning', verdict.reason, verdict.message);
    this.failed = { reason: verdict.reason, message: `Pod was rejected: ${verdict.message}` };
    this.completed = true;
    this.refreshStatus();
    this.finished = true;
    return true;
  }

  /** Sandbox creation failures are retried with the back-off while the pod stays Pending. */
  private async createSandboxWithRetry(backoff: RestartBackoff): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      try {
        await this.createSandbox();
        this.watchSandbox(this.box!.sandbox);
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
      if (this.box?.sandbox !== sandbox || this.stopping) return;
      this.sandboxLost = true;
      this.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      this.stop.abort();
      this.notifyWaiters();
      this.terminating = this.stopAllContainers(this.podGrace());
    });
  }

  /** The pod's configMap, secret, downwardAPI, projected and service account volumes, while set up. */
  private objectVolumes?: PodObjectVolumes;

  /**
   * The volume manager's WaitForAttachAndMount, before the sandbox: a volume whose ConfigMap or
   * Secret is missing fails with FailedMount (`MountVolume.SetUp failed for volume "v" : configmap
   * "x" not found`) and is retried with the operation executor's back-off (500 ms doubling up to
   * 2m2s), or at once when an object the volumes read changes; the pod stays ContainerCreating.
   */
  private async mountVolumesWithRetry(): Promise<boolean> {
    const volumes = (this.objectVolumes ??= new PodObjectVolumes(
      { pod: () => this.pod, objects: this.kl.objects, allocatable: nodeAllocatable(this.kl.config.stateDir), event: (type, reason, message) => this.event(type, reason, message) },
      podDir(this.kl.config.stateDir, this.pod),
    ));
    let delayMs = 500;
    for (;;) {
      if (this.stopping) return false;
      const failures = volumes.setUp();
      if (failures.length === 0) return true;
      for (const f of failures) this.event('Warning', 'FailedMount', mountFailedMessage(f));
      if (!(await volumes.waitForChange(delayMs, this.stop.signal))) return false;
      delayMs = Math.min(delayMs * 2, 122_000);
    }
  }

  /** The pod's labels or annotations changed (podUpdate.ts): downward API files are rewritten. */
  metadataChanged(): void {
    this.objectVolumes?.podChanged();
  }

  private async createSandbox(): Promise<void> {
    this.box = await PodSandbox.create(this.pod, this.kl, this.objectVolumes);
    this.event('Normal', 'SandboxReady', `Pod sandbox created: ${this.box.describe()}`);
    this.refreshStatus();
  }

  private async teardownSandbox(): Promise<void> {
    const box = this.box;
    this.objectVolumes?.close();
    this.objectVolumes = undefined;
    if (!box) {
      // Volumes set up for a sandbox that never came (a pod deleted while one waited for its ConfigMap).
      if (!this.kl.hasSuccessor(this)) rmSync(join(podDir(this.kl.config.stateDir, this.pod), 'volumes'), { recursive: true, force: true });
      return;
    }
    this.box = undefined;
    await box.remove({ podDirInUse: () => this.kl.hasSuccessor(this) });
    this.event('Normal', 'SandboxRemoved', `Pod sandbox removed (pause pid ${box.sandbox.pid})`);
  }

  private sidecarLoops: Promise<void>[] = [];

  /** Init containers one at a time; sidecars start in order and keep running. False: the pod cannot go on. */
  private async runInitContainers(): Promise<boolean> {
    for (const r of this.records.filter((x) => x.role === 'init' || x.role === 'sidecar')) {
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

  notifyWaiters(): void {
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
      let outcome: InstanceOutcome;
      try {
        outcome = await runInstance(this, r);
      } catch (err) {
        // runInstance turns every failure into the container's state; this only guards against its own bugs.
        this.event('Warning', 'Failed', `Error: ${(err as Error)?.message ?? String(err)}`, r);
        outcome = { exitCode: 128, ranForMs: 0 };
      }
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

  setState(r: ContainerRecord, state: ContainerRecord['state']): void {
    if (r.state.terminated && !state.terminated) r.lastState = { terminated: r.state.terminated };
    r.state = state;
    this.refreshStatus();
    this.notifyWaiters();
    // A container still being started when the pod was evicted had no process to stop then: it goes now.
    if (state.running && this.evictionGrace !== undefined) void this.kill(r, this.evictionGrace, `Stopping container ${r.name}`);
  }

  /**
   * One turn of the pod's start queue for an app container's start (image, create, start,
   * postStart): they start one at a time in spec order. Init containers and sidecars are put in
   * order by runInitContainers already. Undefined when the pod stops while it waits.
   */
  startTurn<T>(r: ContainerRecord, start: () => Promise<T>): Promise<T | undefined> {
    if (r.role !== 'app') return start();
    return this.startQueue.run(this.stop.signal, start);
  }

  statusChanged(): void {
    this.refreshStatus();
    this.notifyWaiters();
  }

  startContext(): StartContext {
    const box = this.box!;
    const cfg = this.kl.config;
    return {
      pod: this.pod,
      sandbox: box.sandbox,
      stateDir: cfg.stateDir,
      imageDir: imageDirOf(cfg),
      cgroupParent: cfg.cgroupParent,
      volumeSources: box.volumeSources,
      readOnlyVolumes: box.readOnlyVolumes,
      podBinds: box.podBinds,
      envSources: { objects: this.kl.objects, allocatable: nodeAllocatable(cfg.stateDir), warn: (reason, message) => this.event('Warning', reason, message) },
      security: { seccompDefault: cfg.seccompDefault, seccompRoot: join(cfg.stateDir, 'seccomp') },
      leaseImage: (root) => this.kl.images.store.lease(root),
      agentPaths: { dirs: [cfg.stateDir, ...(cfg.imageDir ? [cfg.imageDir] : [])], files: [cfg.socketPath, ...(cfg.configPath ? [cfg.configPath] : [])] },
    };
  }

  logLine(r: ContainerRecord, line: Omit<LogLine, 'timestamp'>): void {
    this.kl.logLine(this, r, line);
  }

  /** One running instance as probes and hooks see it. */
  targetOf(r: ContainerRecord, proc: ContainerProcess): ProbeTarget {
    return { pod: () => this.pod, container: r.spec, pid: proc.pid, specPath: proc.specPath, env: r.env, startedAt: proc.startedAt.getTime(), timeline: this.kl.timelines?.container(this.pod.metadata!.uid!, r.name) };
  }

  podGrace(): number {
    return this.pod.spec!.terminationGracePeriodSeconds ?? 30;
  }

  private killContext(r: ContainerRecord): KillContext {
    return {
      target: (proc) => this.targetOf(r, proc),
      imageStopSignal: r.imageStopSignal,
      record: (type, reason, message, rec, at) => this.event(type, reason, message, rec, at),
      // Synchronous: listeners (tinylet verify) read /proc before the signal changes anything.
      beforeStopSignal: (pid) => this.kl.beforeStopSignal?.(this, r, pid),
    };
  }

  /** Never rejects: callers fire and forget it (probe failures, image changes), and a rejection would be unhandled. */
  kill(r: ContainerRecord, graceSeconds: number, message: string, skipPreStop = false): Promise<void> {
    return killContainer(r, this.killContext(r), { gracePeriodSeconds: graceSeconds, message, skipPreStop }).catch((err: unknown) => {
      this.event('Warning', 'FailedKillPod', `error killing container ${r.name}: ${(err as Error)?.message ?? String(err)}`, r);
    });
  }

  /**
   * Graceful deletion (SEMANTICS §5): deletion timestamp, liveness/startup probes off, app containers
   * stopped in parallel, then sidecars; the sandbox goes once all are gone.
   */
  requestDeletion(gracePeriodSeconds: number | undefined, force = false): void {
    const grace = gracePeriodSeconds ?? this.podGrace();
    if (this.deleting) return this.shortenDeletion(grace, force);
    const now = new Date();
    this.pod = {
      ...this.pod,
      // The grace is used as given (up to 2^63 s); only its timestamp is bounded to what RFC 3339 can write.
      metadata: { ...this.pod.metadata, deletionTimestamp: rfc3339After(now, grace), deletionGracePeriodSeconds: grace },
    };
    this.event('Normal', 'DeleteRequested', `Pod deletion requested with a grace period of ${grace}s${force ? ' (forced)' : ''}`);
    this.stop.abort();
    this.notifyWaiters();
    for (const r of this.records) r.probes?.stopLivenessAndStartup();
    this.terminating = this.stopAllContainers(grace);
    this.refreshStatus();
  }

  /**
   * A second delete with a shorter grace period (a forced one after a graceful one) brings the
   * deletion forward, as the API server and the kubelet do; a longer one changes nothing.
   */
  private shortenDeletion(grace: number, force: boolean): void {
    const current = this.pod.metadata?.deletionGracePeriodSeconds;
    if (current !== undefined && grace >= current) return;
    this.pod = { ...this.pod, metadata: { ...this.pod.metadata, deletionTimestamp: rfc3339After(new Date(), grace), deletionGracePeriodSeconds: grace } };
    this.event('Normal', 'DeleteRequested', `Pod deletion requested with a grace period of ${grace}s${force ? ' (forced)' : ''}, shortening the one under way`);
    // The kubelet kills the pod again with the shorter grace: sidecars still waiting count from now.
    if (this.stopClock && grace < this.graceLeft()) this.startStopClock(grace);
    for (const r of this.records) if (r.killing) void this.kill(r, grace, `Stopping container ${r.name}`);
    this.refreshStatus();
  }

  /** App containers in parallel, then sidecars with what is left of the grace period (shortened meanwhile, perhaps). */
  private async stopAllContainers(grace: number): Promise<void> {
    this.startStopClock(grace);
    await Promise.all(this.records.filter((r) => r.role !== 'sidecar').map((r) => this.kill(r, grace, `Stopping container ${r.name}`, grace === 0)));
    await this.stopSidecars('Stopping container');
  }

  /** The pod's termination grace and when it began counting (monotonic ms): what sidecars get is what is left of it. */
  private stopClock?: { grace: number; since: number };

  private startStopClock(grace: number): void {
    this.stopClock = { grace, since: performance.now() };
  }

  /**
   * The grace a container whose turn to stop comes now gets, as the kubelet's killContainer
   * computes it: the pod's grace minus the whole seconds waited for the turn (waitForTurn's time,
   * truncated), at least 0 (raised to the 2 s minimum by the kill).
   */
  private graceLeft(): number {
    const clock = this.stopClock;
    if (!clock) return this.podGrace();
    return Math.max(0, clock.grace - Math.floor((performance.now() - clock.since) / 1000));
  }

  private startedAtMs = 0;
  private deadlineTimer?: LongTimer;

  /** (Re)arms activeDeadlineSeconds, counted from the pod's start; an update may shorten it. Up to 2^31-1 s: a long timer. */
  scheduleDeadline(): void {
    this.deadlineTimer?.clear();
    const deadline = this.pod.spec!.activeDeadlineSeconds;
    if (!deadline || this.finished) return;
    this.deadlineTimer = longTimeout(this.startedAtMs + deadline * 1000 - Date.now(), () => this.deadlineExceeded());
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

  private evictionGrace?: number;

  /**
   * The eviction manager's verdict (eviction/manager.ts): the pod fails with reason Evicted and the
   * kubelet's message, as its evictPod sets them, and its containers stop within the given grace.
   */
  evict(message: string, graceSeconds: number): void {
    if (this.finished || this.deleting || this.failed || this.completed) return;
    this.event('Warning', 'Evicted', message);
    this.failed = { reason: 'Evicted', message };
    this.evictionGrace = graceSeconds;
    this.stop.abort();
    this.notifyWaiters();
    this.terminating = this.stopAllContainers(graceSeconds);
    this.refreshStatus();
  }

  /**
   * The backstop of `done`, which must never reject: an error no step of the pod's life handled is
   * this pod's failure, not the agent's. It is recorded (FailedSync, the kubelet's "error syncing
   * pod"), whatever still runs is stopped and the sandbox removed as far as they go, and the worker
   * finishes.
   */
  private async syncFailed(err: unknown): Promise<void> {
    const message = `error syncing pod: ${(err as Error)?.message ?? String(err)}`;
    const attempt = async (what: string, step: () => unknown): Promise<void> => {
      try {
        await step();
      } catch (again) {
        console.error(`tinylet: pod ${this.key}: ${what} after a failure: ${(again as Error)?.message ?? String(again)}`);
      }
    };
    await attempt('event', () => this.event('Warning', 'FailedSync', message));
    // A pod whose containers had all run is not failed by a teardown that went wrong; any other is.
    if (!this.deleting && !this.failed && !this.completed) this.failed = { reason: 'FailedSync', message };
    this.stop.abort();
    this.deadlineTimer?.clear();
    await attempt('stopping containers', () => Promise.all(this.records.map((r) => this.kill(r, 0, `Stopping container ${r.name}`, true))));
    await attempt('removing the sandbox', () => this.teardownSandbox());
    await attempt('status', () => this.refreshStatus());
    this.finished = true;
  }

  /**
   * Sidecars stop after the app containers, in reverse order of their start, one at a time: each
   * with what is left of the pod's grace when its turn comes (after the ones before it).
   */
  private async stopSidecars(message: string): Promise<void> {
    this.notifyWaiters();
    for (const r of this.records.filter((x) => x.role === 'sidecar').reverse()) {
      const grace = this.graceLeft();
      await this.kill(r, grace, `${message} ${r.name}`, grace === 0);
    }
  }
}

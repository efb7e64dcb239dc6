// Ephemeral containers (spec.ephemeralContainers, added through pods/ephemeralcontainers): the
// kubelet starts each new one in the running pod's sandbox, through the same start path as the
// pod's other containers (image, env, volume mounts, securityContext, logs, events), and never
// starts it again whatever the pod's restartPolicy. They take no part in the pod's phase or
// readiness (podStatus.ts), and stop with the pod. With `targetContainerName` the container joins
// the target's PID namespace, as the CRI's NamespaceMode_TARGET: `ps` lists the target's processes
// and /proc/1/root is the target's root. Without it, it gets its own (or the pod's, with
// shareProcessNamespace), like any container.
import type { EphemeralContainer } from 'kubernetes-types/core/v1.js';
import type { Container } from '../api/types.js';
import { StartError } from '../runtime/launch.js';
import { RestartBackoff } from './backoff.js';
import { runInstance, type InstanceHost } from './containerInstance.js';
import { newRecord, type ContainerRecord } from './containerRecord.js';
import type { StartContext } from './containerStarter.js';

/** What the ephemeral containers need of their pod worker, beyond what any container instance does. */
export interface EphemeralHost extends InstanceHost {
  readonly records: ContainerRecord[];
  /** Resolves true once the pod's sandbox runs, false if the pod stops before. */
  sandboxReady(): Promise<boolean>;
}

/** The record of one ephemeral container: its events' fieldPath is spec.ephemeralContainers{name}. */
function ephemeralRecord(host: EphemeralHost, spec: EphemeralContainer): ContainerRecord {
  const { initialDelayMs, maxContainerRestartPeriodMs } = host.kl.config.crashLoopBackOff;
  // EphemeralContainerCommon is a Container without the fields validation refuses; the back-off is never used.
  return newRecord(spec as Container, 'ephemeral', `spec.ephemeralContainers{${spec.name}}`, new RestartBackoff(initialDelayMs, maxContainerRestartPeriodMs), 'ContainerCreating');
}

export class EphemeralContainers {
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly host: EphemeralHost) {}

  /** Starts every container of `list` the pod does not have yet, once its sandbox runs. */
  add(list: readonly EphemeralContainer[]): void {
    for (const spec of list) {
      if (this.has(spec.name)) continue;
      const r = ephemeralRecord(this.host, spec);
      this.host.records.push(r);
      this.loops.push(this.runOnce(r));
    }
  }

  /** Stops the ones still running (the pod completed or failed) and waits until none is being started or run. */
  async stop(graceSeconds: number): Promise<void> {
    await Promise.all(this.records().map((r) => this.host.kill(r, graceSeconds, `Stopping container ${r.name}`)));
    await this.settled();
  }

  /** Resolves when no ephemeral container is being started or run. */
  async settled(): Promise<void> {
    await Promise.all(this.loops);
  }

  private records(): ContainerRecord[] {
    return this.host.records.filter((r) => r.role === 'ephemeral');
  }

  private has(name: string): boolean {
    return this.host.records.some((r) => r.name === name);
  }

  /** One instance, never restarted. runInstance turns every failure into the container's state. */
  private async runOnce(r: ContainerRecord): Promise<void> {
    if (!(await this.host.sandboxReady())) return;
    // One a previous agent had started (pod recovery restored its status) is not started again: the
    // kubelet starts only the ephemeral containers that have no status.
    if (r.instances > 0 || r.state.terminated) return;
    try {
      for (;;) {
        // An image that could not be pulled is tried again (ImagePullBackOff), as for any container.
        if ((await runInstance(this.instanceHost(r), r)) !== 'retry-image') return;
      }
    } catch (err) {
      this.host.event('Warning', 'Failed', `Error: ${(err as Error)?.message ?? String(err)}`, r);
    }
  }

  /** The pod worker as this container's host, but its start context puts it in its target's PID namespace. */
  private instanceHost(r: ContainerRecord): InstanceHost {
    const h = this.host;
    return {
      get pod() {
        return h.pod;
      },
      get kl() {
        return h.kl;
      },
      get deleting() {
        return h.deleting;
      },
      get stopSignal() {
        return h.stopSignal;
      },
      startContext: () => this.startContext(r),
      // Not in the app containers' start order: it starts when asked, as the kubelet's SyncPod does.
      startTurn: (_r, start) => start(),
      event: (type, reason, message, rec) => h.event(type, reason, message, rec),
      setState: (rec, state) => h.setState(rec, state),
      statusChanged: () => h.statusChanged(),
      kill: (rec, grace, message) => h.kill(rec, grace, message),
      podGrace: () => h.podGrace(),
      targetOf: (rec, proc) => h.targetOf(rec, proc),
      logLine: (rec, line) => h.logLine(rec, line),
    };
  }

  private startContext(r: ContainerRecord): StartContext {
    const ctx = this.host.startContext();
    const target = (r.spec as EphemeralContainer).targetContainerName;
    if (!target) return ctx;
    const pid = this.host.records.find((x) => x.name === target && x.role !== 'ephemeral')?.process?.pid;
    // The runtime needs the target's process to join its namespace (containerd: "target container not running").
    if (!pid) throw new StartError(`failed to start ephemeral container: target container "${target}" is not running`);
    return { ...ctx, sandbox: { ...ctx.sandbox, sharedPidNamespace: `/proc/${pid}/ns/pid` } };
  }
}

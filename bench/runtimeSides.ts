import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Pod } from '../src/api/types.js';
import type { AgentChild } from './agentChild.js';
import type { PodmanEnv } from './podmanEnv.js';
import { descendantsOf } from './procStats.js';
import { cliPath } from './util.js';

/**
 * One runtime as the comparison drives it: tinylet's agent over its API, `tinylet run`, or podman
 * kube play. Each case (comparison.ts) is written once against this, so both sides are measured
 * the same way.
 */
export interface RuntimeSide {
  readonly name: string;
  readonly image: string;
  /** Starts the pods; resolves once the request/command that starts them has returned. */
  start(pods: Pod[]): Promise<void>;
  /** Host PIDs of each app container (the processes the FIFO marks come from). */
  appPids(pod: string): Promise<number[]>;
  /** Every process the pods cost (the runtime's per-pod helpers and the apps). */
  podProcesses(pods: string[]): Promise<number[]>;
  /** The graceful stop a user asks for; resolves once the request is sent (podman's returns when stopped). */
  requestStop(pod: string, graceSeconds: number): Promise<void>;
  /** Deletes the pods, gracefully; resolves when the runtime reports them gone. */
  teardown(pods: string[]): Promise<void>;
  /** Removes everything at once (between measurements; not timed). */
  clear(): Promise<void>;
  restartCount(pod: string, container: string): Promise<number>;
}

export class TinyletAgentSide implements RuntimeSide {
  readonly name = 'tinylet (API)';
  readonly image = 'busybox';

  constructor(private readonly agent: AgentChild) {}

  async start(pods: Pod[]): Promise<void> {
    await Promise.all(pods.map((p) => this.agent.createPod(p)));
  }

  async appPids(pod: string): Promise<number[]> {
    const events = await this.agent.events(pod);
    return events.filter((e) => e.reason === 'ProcessStarted').map((e) => Number(/running as pid (\d+)/.exec(e.message)?.[1]));
  }

  async podProcesses(): Promise<number[]> {
    // The pause, FIFO and launcher processes are the agent's children, the apps their children.
    return this.agent.podProcesses();
  }

  async requestStop(pod: string, graceSeconds: number): Promise<void> {
    await this.agent.deletePod(pod, graceSeconds);
  }

  async teardown(pods: string[]): Promise<void> {
    await Promise.all(pods.map((p) => this.agent.deletePod(p)));
    await this.agent.waitPods((list) => !list.some((p) => pods.includes(p.metadata!.name!)), 60_000, 'pods deleted', 5);
  }

  async clear(): Promise<void> {
    for (const p of await this.agent.pods()) await this.agent.deletePod(p.metadata!.name!, 0);
    await this.agent.waitPods((list) => list.length === 0, 60_000, 'pods cleared');
    await this.agent.waitNoPodProcesses();
  }

  async restartCount(pod: string, container: string): Promise<number> {
    const p = (await this.agent.pods()).find((x) => x.metadata!.name === pod);
    return p?.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0;
  }
}

/** `tinylet run FILE`: its own kubelet in the CLI process; only start latency is measured this way. */
export class TinyletCliSide implements RuntimeSide {
  readonly name = 'tinylet run (CLI)';
  readonly image = 'busybox';
  private runs = new Map<string, ChildProcess>();

  constructor(
    private readonly dir: string,
    private readonly agentYaml: string,
  ) {}

  async start(pods: Pod[]): Promise<void> {
    const file = join(this.dir, `${pods[0].metadata!.name}.yaml`);
    writeFileSync(file, pods.map((p) => stringify(p)).join('---\n'));
    const child = spawn('node', [cliPath, 'run', file, '--config', this.agentYaml], { stdio: 'ignore' });
    this.runs.set(pods[0].metadata!.name!, child);
  }

  async appPids(): Promise<number[]> {
    throw new Error('not measured through tinylet run');
  }

  async podProcesses(): Promise<number[]> {
    throw new Error('not measured through tinylet run');
  }

  async requestStop(): Promise<void> {
    throw new Error('not measured through tinylet run');
  }

  async teardown(pods: string[]): Promise<void> {
    await Promise.all(
      pods.map(async (p) => {
        const run = this.runs.get(p);
        if (!run) return;
        this.runs.delete(p);
        if (run.exitCode !== null || run.signalCode !== null) return;
        const exited = new Promise((r) => run.once('exit', r));
        run.kill('SIGINT');
        await exited;
      }),
    );
  }

  async clear(): Promise<void> {
    await this.teardown([...this.runs.keys()]);
  }

  async restartCount(): Promise<number> {
    throw new Error('not measured through tinylet run');
  }
}

export class PodmanSide implements RuntimeSide {
  readonly name = 'podman kube play';
  readonly image: string;
  private seq = 0;

  constructor(
    private readonly podman: PodmanEnv,
    image: string,
  ) {
    this.image = image;
  }

  async start(pods: Pod[]): Promise<void> {
    await this.podman.play(this.podman.writePod(pods, `play-${++this.seq}`));
  }

  async appPids(pod: string): Promise<number[]> {
    return (await this.podman.podPids(pod)).app;
  }

  async podProcesses(pods: string[]): Promise<number[]> {
    const out: number[] = [];
    for (const p of pods) {
      // conmon, its container's process, and whatever that one forked.
      for (const pid of (await this.podman.podPids(p)).all) out.push(pid, ...descendantsOf(pid));
    }
    return out;
  }

  async requestStop(pod: string, grace: number): Promise<void> {
    // `pod stop -t N`: TERM, then KILL after N s (`kube down` SIGKILLs at once). Not awaited: the
    // command returns only once the pod stopped.
    void this.podman.podman(['pod', 'stop', '--time', String(grace), pod]).catch(() => undefined);
  }

  async teardown(pods: string[]): Promise<void> {
    await this.podman.podman(['pod', 'rm', '--force', '--time', '10', ...pods]);
  }

  async clear(): Promise<void> {
    await this.podman.removeAllPods();
  }

  async restartCount(pod: string, container: string): Promise<number> {
    return this.podman.restartCount(`${pod}-${container}`);
  }
}

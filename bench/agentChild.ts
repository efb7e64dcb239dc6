import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../src/kubelet/config.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import type { Pod } from '../src/api/types.js';
import { packageRoot } from '../src/runtime/paths.js';
import { descendantsOf } from './procStats.js';

const ENTRY = join(packageRoot, 'dist', 'bench', 'agentProcess.js');

export interface AgentMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** A tinylet agent in a child process, reached over its Unix socket; see agentProcess.ts. */
export class AgentChild {
  private pending: ((msg: Record<string, unknown>) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly config: Pick<AgentConfig, 'stateDir' | 'socketPath' | 'cgroupParent'>,
  ) {
    child.on('message', (msg: Record<string, unknown>) => this.pending.shift()?.(msg));
  }

  /** The agent's own helper processes (state-dir lock, spawner), there with no pod: not a pod's cost. */
  private helpers = new Set<number>();

  get pid(): number {
    return this.child.pid!;
  }

  /** The agent's spawner (agent/spawner.c): it forks every pause, launcher and exec process, and reaps them. */
  spawnerPid(): number | undefined {
    return [...this.helpers].find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[1] === 'spawner';
      } catch {
        return false;
      }
    });
  }

  /** The agent's descendants that belong to pods: pause, FIFO and launcher processes and the apps. */
  podProcesses(): number[] {
    return descendantsOf(this.pid).filter((p) => !this.helpers.has(p));
  }

  /** Waits until no pod process is left (a forced delete removes the API object first). */
  async waitNoPodProcesses(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.podProcesses().length > 0) {
      if (Date.now() > deadline) throw new Error(`pod processes left ${timeoutMs} ms after their pods were deleted: ${this.podProcesses().join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  static async start(config: Partial<AgentConfig> & Pick<AgentConfig, 'stateDir' | 'socketPath' | 'cgroupParent'>, nodeFlags: string[] = []): Promise<AgentChild> {
    const child = fork(ENTRY, [JSON.stringify(config)], { execArgv: ['--expose-gc', ...nodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const agent = new AgentChild(child, config);
    const ready = await Promise.race([
      agent.reply(),
      new Promise<Record<string, unknown>>((resolve) => child.once('exit', (code) => resolve({ ok: false, error: `agent exited with ${code}` }))),
    ]);
    if (!ready.ok) throw new Error(`bench agent did not start: ${String(ready.error)}`);
    agent.helpers = new Set(descendantsOf(agent.pid));
    return agent;
  }

  private reply(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  private async ask(op: string): Promise<Record<string, unknown>> {
    const reply = this.reply();
    this.child.send({ op });
    const r = await reply;
    if (!r.ok) throw new Error(`bench agent ${op}: ${String(r.error)}`);
    return r;
  }

  /** The agent's memory right after two full GCs. */
  async memory(): Promise<AgentMemory> {
    return (await this.ask('memory')) as unknown as AgentMemory;
  }

  /** An API request over the Unix socket; the parsed JSON body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        { socketPath: this.config.socketPath, path, method, headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            try {
              resolve({ status: res.statusCode!, json: JSON.parse(text) });
            } catch {
              resolve({ status: res.statusCode!, json: { text } });
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async createPod(pod: Pod): Promise<void> {
    const r = await this.api('POST', `/api/v1/namespaces/default/pods`, pod);
    if (r.status !== 201) throw new Error(`create ${pod.metadata?.name}: ${r.status} ${JSON.stringify(r.json)}`);
  }

  async deletePod(name: string, gracePeriodSeconds?: number): Promise<void> {
    const q = gracePeriodSeconds === undefined ? '' : `?gracePeriodSeconds=${gracePeriodSeconds}`;
    const r = await this.api('DELETE', `/api/v1/namespaces/default/pods/${name}${q}`);
    if (r.status !== 200 && r.status !== 202 && r.status !== 404) throw new Error(`delete ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  }

  async pods(): Promise<Pod[]> {
    const r = await this.api('GET', '/api/v1/namespaces/default/pods');
    return (r.json.items ?? []) as Pod[];
  }

  async events(name: string): Promise<{ reason: string; message: string }[]> {
    const r = await this.api('GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`);
    return (r.json.items ?? []) as { reason: string; message: string }[];
  }

  /** Polls the pod list until `done` holds for it. */
  async waitPods(done: (pods: Pod[]) => boolean, timeoutMs: number, what: string, everyMs = 25): Promise<Pod[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pods = await this.pods();
      if (done(pods)) return pods;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${summary(pods)})`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** Deletes every pod, stops the agent, and removes its state and cgroups whatever happened. */
  async stop(): Promise<void> {
    try {
      if (this.child.exitCode === null) {
        const exited = new Promise((r) => this.child.once('exit', r));
        await Promise.race([this.ask('stop'), exited]);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      }
    } finally {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
      rmSync(this.config.stateDir, { recursive: true, force: true });
      await removeCgroupParent(this.config.cgroupParent);
    }
  }
}

/** "3 Running (2 ready), 1 Pending": what a wait that timed out saw last. */
function summary(pods: Pod[]): string {
  const by = new Map<string, number>();
  for (const p of pods) {
    const ready = p.status?.containerStatuses?.every((c) => c.ready) ? ' ready' : '';
    const key = `${p.status?.phase ?? 'no phase'}${ready}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return [...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'no pods';
}

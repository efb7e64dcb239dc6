// Fault injection on the agent's store and its restarts (issue 10): names of every valid length on
// disk, corrupt store files, a rolled-back resource-version clock, stray files of a previous run,
// and container states that tell the truth across a graceful stop and a SIGKILL of the agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Agent } from '../src/agent/agent.js';
import type { Pod } from '../src/api/types.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { legacyPodDirName, podDir, podDirName } from '../src/kubelet/podPaths.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { removeBridge } from '../src/runtime/network/bridge.js';
import { parseCidr } from '../src/runtime/network/cidr.js';
import { mountsUnder } from '../src/store/leftovers.js';
import { CLI } from './helpers/agent.js';
import { socketRequest, type SocketReply } from './helpers/childAgent.js';
import { isolatedConfig } from './helpers/testKubelet.js';

/** One state dir that agents (in this process, or `tinylet agent` children) start on, again and again. */
class Node {
  readonly config: AgentConfig;
  agent?: Agent;
  child?: ChildProcess;
  output = '';

  constructor() {
    this.config = isolatedConfig({ apiPort: null });
    this.config.socketPath = join(this.config.stateDir, 'api.sock');
  }

  get store(): string {
    return join(this.config.stateDir, 'store');
  }

  api(method: string, path: string, body?: unknown): Promise<SocketReply> {
    return socketRequest(this.config.socketPath, method, path, body);
  }

  async start(): Promise<Agent> {
    this.agent = await Agent.start(this.config);
    return this.agent;
  }

  /** A graceful stop, as SIGTERM makes it: the containers stop, the pods stay stored. */
  async stopGracefully(): Promise<void> {
    await this.agent!.stop({ keepPods: true });
    this.agent = undefined;
  }

  /** `tinylet agent` in a child process, to be SIGKILLed. */
  async startChild(): Promise<void> {
    const file = join(this.config.stateDir, 'agent.yaml');
    const c = this.config;
    writeFileSync(file, `stateDir: ${c.stateDir}\nsocketPath: ${c.socketPath}\napiPort: null\nbridgeName: ${c.bridgeName}\npodCIDR: ${c.podCIDR}\ncgroupParent: ${c.cgroupParent}\n`);
    const child = spawn('node', [CLI, 'agent', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if ((await this.api('GET', '/healthz').catch(() => undefined))?.status === 200) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`agent did not start: ${this.output}`);
  }

  async killChild(signal: NodeJS.Signals): Promise<void> {
    const child = this.child!;
    this.child = undefined;
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async pod(ns: string, name: string, cond: (p: any) => boolean, timeoutMs = 15_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    let last: SocketReply | undefined;
    while (Date.now() < until) {
      last = await this.api('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      if (cond(last.status === 200 ? last.json : undefined)) return last.json;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`pod ${ns}/${name.slice(0, 40)}...: ${last?.text.slice(0, 600)}`);
  }

  /** Everything gone: pods, processes, veths, bridge, mounts, cgroups, the state dir. */
  async cleanup(): Promise<void> {
    if (this.child) await this.killChild('SIGKILL');
    if (!this.agent && existsSync(this.store)) this.agent = await Agent.start(this.config).catch(() => undefined);
    if (this.agent) {
      await this.agent.stop({ keepPods: false, gracePeriodSeconds: 0 });
      await this.agent.kubelet.network.destroy();
    }
    for (const m of mountsUnder(this.config.stateDir)) await execa('umount', ['-l', m], { reject: false });
    await removeBridge(this.config.bridgeName, parseCidr(this.config.podCIDR)).catch(() => undefined);
    rmSync(this.config.stateDir, { recursive: true, force: true });
    await removeCgroupParent(this.config.cgroupParent);
    // Nothing of the node is left: no bridge (its veths went with the pods), no cgroup, no mount.
    expect((await execa('ip', ['link', 'show', this.config.bridgeName], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(join('/sys/fs/cgroup', this.config.cgroupParent))).toBe(false);
    expect(mountsUnder(this.config.stateDir)).toEqual([]);
  }
}

function podBody(name: string, opts: { namespace?: string; command: string[]; container?: string; restartPolicy?: string; grace?: number }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: opts.grace ?? 1,
      containers: [{ name: opts.container ?? 'app', image: 'busybox', command: opts.command }],
    },
  } as Pod;
}

const running = (p: any) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined;
const restartedOnce = (p: any) => running(p) && p.status.containerStatuses[0].restartCount === 1;
/** A valid 253-character pod name (DNS subdomain). */
const longName = (prefix: string, length: number) => `${prefix}-${'x'.repeat(length - prefix.length - 2)}.y`.slice(0, length - 1) + 'z';

let node: Node | undefined;
afterEach(async () => {
  await node?.cleanup();
  node = undefined;
});

describe('names of any valid length', () => {
  it('runs, restarts and deletes pods with a 253-character name in a 63-character namespace', async () => {
    node = new Node();
    const ns = 'n'.repeat(63);
    const pod253 = longName('pod', 253);
    const pod231 = longName('mid', 231);
    expect(pod253).toHaveLength(253);
    await node.start();
    const container = 'c'.repeat(63);
    // A namespace exists before anything goes into it (NamespaceLifecycle), as in a cluster.
    expect((await node.api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    for (const [name, namespace] of [[pod253, ns], [pod231, 'default']] as const) {
      const created = await node.api('POST', `/api/v1/namespaces/${namespace}/pods`, podBody(name, { namespace, container, command: ['sh', '-c', 'echo hello; exec sleep 600'] }));
      expect(created.status, created.text).toBe(201);
    }
    const first = await node.pod(ns, pod253, running);
    await node.pod('default', pod231, running);
    // Every name on disk is bounded: no component near NAME_MAX, the whole path far below PATH_MAX.
    for (const f of readdirSync(join(node.store, 'pods'))) expect(f.length).toBeLessThanOrEqual(105);
    const dir = podDir(node.config.stateDir, first);
    expect(podDirName(first).length).toBeLessThanOrEqual(101);
    // The file appears with the first line the container writes, which may come just after `running`.
    await vi.waitFor(() => expect(existsSync(join(dir, 'logs', container, '0.log'))).toBe(true), { timeout: 5000, interval: 50 });

    await node.stopGracefully();
    await node.start();
    expect(node.agent!.recovery.recreated).toHaveLength(2);
    const back = await node.pod(ns, pod253, restartedOnce);
    expect(back.metadata.uid).toBe(first.metadata.uid);
    expect((await node.api('GET', `/api/v1/namespaces/${ns}/pods/${pod253}/log?previous=true`)).text).toBe('hello\n');

    for (const [name, namespace] of [[pod253, ns], [pod231, 'default']] as const) {
      expect((await node.api('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`)).status).toBe(200);
      await node.pod(namespace, name, (p) => p === undefined);
    }
    expect(readdirSync(join(node.store, 'pods')).filter((f) => f.endsWith('.json'))).toEqual([]);
    await node.stopGracefully();
    await node.start();
    expect(node.agent!.recovery.recreated).toEqual([]);
  });

  it('finds pods stored under the raw names of an earlier version and moves them to the current layout', async () => {
    node = new Node();
    const name = longName('legacy', 200);
    await node.start();
    expect((await node.api('POST', '/api/v1/namespaces/default/pods', podBody(name, { command: ['sh', '-c', 'echo from-before; exec sleep 600'] }))).status).toBe(201);
    const first = await node.pod('default', name, running);
    await node.stopGracefully();
    // What an earlier version left: `<ns>_<name>.json` and `pods/<ns>_<name>_<uid>`.
    const [file] = readdirSync(join(node.store, 'pods'));
    expect(file).toMatch(/~[0-9a-f]{16}\.json$/);
    renameSync(join(node.store, 'pods', file), join(node.store, 'pods', `default_${name}.json`));
    renameSync(podDir(node.config.stateDir, first), join(node.config.stateDir, 'pods', legacyPodDirName(first)));

    await node.start();
    const r = node.agent!.recovery;
    expect(r.migrated).toHaveLength(2);
    expect(r.quarantined).toEqual([]);
    expect(r.collected).toEqual([]);
    await node.pod('default', name, restartedOnce);
    expect(readdirSync(join(node.store, 'pods'))).toEqual([file]);
    expect((await node.api('GET', `/api/v1/namespaces/default/pods/${name}/log?previous=true`)).text).toBe('from-before\n');
  });
});

describe('corrupt store files', () => {
  it('quarantines each unreadable file with a message naming it and starts with the other pods', async () => {
    node = new Node();
    await node.start();
    expect((await node.api('POST', '/api/v1/namespaces/default/pods', podBody('good', { command: ['sleep', '600'] }))).status).toBe(201);
    const good = await node.pod('default', 'good', running);
    await node.stopGracefully();
    const stored = JSON.parse(readFileSync(join(node.store, 'pods', 'default_good.json'), 'utf8'));
    const highest = Math.max(Number(good.metadata.resourceVersion), ...JSON.parse(readFileSync(join(node.store, 'events.json'), 'utf8')).map((e: any) => Number(e.metadata.resourceVersion)));
    const bad: Record<string, string> = {
      'pods/bad-json.json': '{"pod": {',
      'pods/empty.json': '{}',
      'pods/null.json': 'null',
      'pods/list.json': '[]',
      'pods/no-spec.json': JSON.stringify({ ...stored, pod: { ...stored.pod, metadata: { ...stored.pod.metadata, name: 'no-spec' }, spec: undefined } }),
      'pods/containers-not-a-list.json': JSON.stringify({ ...stored, pod: { ...stored.pod, metadata: { ...stored.pod.metadata, name: 'odd' }, spec: { ...stored.pod.spec, containers: { app: {} } } } }),
      'events.json': '{"items": []}',
      'resource-version': 'garbage\n',
    };
    for (const [f, text] of Object.entries(bad)) writeFileSync(join(node.store, f), text);

    await node.start();
    const r = node.agent!.recovery;
    expect(r.recreated).toEqual(['default/good']);
    expect(r.quarantined).toHaveLength(Object.keys(bad).length);
    for (const f of Object.keys(bad)) {
      expect(r.quarantined.some((m) => m.startsWith(`moved unreadable store file ${f} aside to store/quarantine/`)), f).toBe(true);
      if (f.startsWith('pods/')) expect(existsSync(join(node.store, f))).toBe(false);
    }
    expect(readdirSync(join(node.store, 'quarantine'))).toHaveLength(Object.keys(bad).length);
    expect(r.quarantined.find((m) => m.includes('no-spec'))).toMatch(/pod\.spec is not an object/);
    expect(r.quarantined.find((m) => m.includes('containers-not-a-list'))).toMatch(/pod\.spec\.containers is not a list/);
    // The clock resumed above every version in the store, though its ceiling file was garbage.
    const back = await node.pod('default', 'good', restartedOnce);
    expect(Number(back.metadata.resourceVersion)).toBeGreaterThan(highest);

    // A rolled-back ceiling (56072 -> 45 in the issue) cannot send the clock back either.
    await node.stopGracefully();
    const before = Number(JSON.parse(readFileSync(join(node.store, 'pods', 'default_good.json'), 'utf8')).pod.metadata.resourceVersion);
    writeFileSync(join(node.store, 'resource-version'), '45\n');
    await node.start();
    expect(node.agent!.recovery.quarantined).toEqual([]);
    const list = await node.api('GET', '/api/v1/namespaces/default/pods');
    expect(Number(list.json.metadata.resourceVersion)).toBeGreaterThan(before);
    expect(Number(list.json.items[0].metadata.resourceVersion)).toBeGreaterThan(before);
    expect(Number(readFileSync(join(node.store, 'resource-version'), 'utf8'))).toBeGreaterThan(before);
  });
});

describe('stray files of a previous run', () => {
  it('collects pod dirs without a pod and temp files of interrupted writes, keeping a deleted pod\'s logs for their retention', async () => {
    node = new Node();
    const { stateDir } = node.config;
    const old = join(stateDir, 'pods', 'default_gone_0b7e4f7e-0000-4000-8000-000000000001');
    const recent = join(stateDir, 'pods', 'default_just-deleted_0b7e4f7e-0000-4000-8000-000000000002');
    for (const d of [old, recent]) mkdirSync(join(d, 'logs', 'app'), { recursive: true });
    writeFileSync(join(old, 'logs', 'app', '0.log'), 'old\n');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    const temps = [join('store', 'pods', '.default_x.json.4242.tmp'), join('store', '.events.json.4242.tmp'), '.token.4242.tmp'];
    mkdirSync(join(stateDir, 'store', 'pods'), { recursive: true });
    for (const t of temps) writeFileSync(join(stateDir, t), '{"half":');

    await node.start();
    const r = node.agent!.recovery;
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true); // within its one-minute log retention
    for (const t of temps) expect(existsSync(join(stateDir, t)), t).toBe(false);
    expect(r.collected).toHaveLength(2 + temps.length);
    expect(r.collected.find((c) => c.startsWith('pods/default_gone_'))).toMatch(/its pod is gone\)$/);
    expect(r.collected.find((c) => c.startsWith('pods/default_just-deleted_'))).toMatch(/removed in \d+ s/);
    for (const t of temps) expect(r.collected).toContain(t);
    expect(statSync(join(stateDir, 'pods')).isDirectory()).toBe(true);
  });
});

describe('container states across agent restarts', () => {
  it('shows the real exit of each instance a graceful stop ended', async () => {
    node = new Node();
    await node.start();
    // PID 1 ignores SIGTERM it has no handler for: `sleep` is killed at the end of its 1 s grace.
    expect((await node.api('POST', '/api/v1/namespaces/default/pods', podBody('sleeper', { command: ['sleep', '600'] }))).status).toBe(201);
    const trap = 'trap "exit 0" TERM; while true; do sleep 0.1; done';
    expect((await node.api('POST', '/api/v1/namespaces/default/pods', podBody('trapper', { command: ['sh', '-c', trap] }))).status).toBe(201);
    const started = (await node.pod('default', 'sleeper', running)).status.containerStatuses[0].state.running.startedAt;
    await node.pod('default', 'trapper', running);
    await node.stopGracefully();

    await node.start();
    const sleeper = (await node.pod('default', 'sleeper', restartedOnce)).status.containerStatuses[0];
    expect(sleeper.lastState.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error', startedAt: started });
    expect(Date.parse(sleeper.lastState.terminated.finishedAt)).toBeGreaterThanOrEqual(Date.parse(started));
    const trapper = (await node.pod('default', 'trapper', restartedOnce)).status.containerStatuses[0];
    expect(trapper.lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('dates the instance lost with a SIGKILLed agent at its death, not at its start', async () => {
    node = new Node();
    await node.startChild();
    expect((await node.api('POST', '/api/v1/namespaces/default/pods', podBody('victim', { command: ['sleep', '600'] }))).status).toBe(201);
    const startedAt = (await node.pod('default', 'victim', running)).status.containerStatuses[0].state.running.startedAt;
    await new Promise((r) => setTimeout(r, 2500));
    const killedAt = Date.now();
    await node.killChild('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500)); // the restart comes later than the death

    await node.startChild();
    const lost = (await node.pod('default', 'victim', restartedOnce)).status.containerStatuses[0].lastState.terminated;
    expect(lost).toMatchObject({ exitCode: 255, reason: 'Unknown', startedAt });
    expect(lost.finishedAt).not.toBe(startedAt);
    expect(Date.parse(lost.finishedAt)).toBeGreaterThan(Date.parse(startedAt));
    // Within the heartbeat's second of the death (timestamps have whole seconds), not at the restart.
    expect(Date.parse(lost.finishedAt)).toBeLessThanOrEqual(killedAt);
    expect(Date.parse(lost.finishedAt)).toBeGreaterThanOrEqual(killedAt - 2000);
  });
});

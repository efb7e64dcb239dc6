// The spawner (agent/spawner.c, src/runtime/spawner.ts): the one process that forks and execs
// sandboxes and launchers for the agent. Its protocol spoken raw (malformed requests get an error
// and the spawner goes on), what a child inherits (a clean session, mask, environment and fd
// table), and its death: every child dies with it, pending requests fail with a clear error, the
// agent's spawner is started again and pods come back.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { agentPidEnv, pauseBinary } from '../src/runtime/paths.js';
import { startSandbox, stopSandbox } from '../src/runtime/sandbox.js';
import { processSpawner, SpawnError, Spawner } from '../src/runtime/spawner.js';
import { eventsOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const openFds = (pid: number | string) => readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
const statusField = (pid: number, name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

/** The spawner binary driven by hand: raw bytes in, reply lines out. */
class RawSpawner {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter?: () => void;

  constructor() {
    this.child = spawn(pauseBinary, ['spawner'], { env: { ...agentPidEnv() } });
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.waiter?.();
    });
  }

  send(raw: string | Buffer): void {
    this.child.stdin.write(raw);
  }

  request(...fields: string[]): void {
    this.send(fields.map((f) => `${f}\0`).join('') + '\0');
  }

  async next(timeoutMs = 5000): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (Date.now() > end) throw new Error('no reply from the spawner');
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 50);
      });
    }
    return this.lines.shift()!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    await gone;
  }
}

describe('spawner protocol', () => {
  let dir: string;
  let raw: RawSpawner;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinylet-spawner-test-'));
  });
  afterEach(async () => raw?.stop());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes FIFOs, refuses to make one twice, and leaves none behind on a failure', async () => {
    raw = new RawSpawner();
    raw.request('a1', 'mkfifo', join(dir, 'f1'), join(dir, 'f2'));
    expect(await raw.next()).toBe('a1 ok');
    raw.request('a2', 'mkfifo', join(dir, 'f3'), join(dir, 'f1'));
    expect(await raw.next()).toBe(`a2 error mkfifo ${join(dir, 'f1')}: File exists`);
    expect(existsSync(join(dir, 'f3'))).toBe(false);
    rmSync(join(dir, 'f1'));
    rmSync(join(dir, 'f2'));
  });

  it('answers every malformed request with an error and keeps serving', async () => {
    raw = new RawSpawner();
    raw.send('\0');
    expect(await raw.next()).toBe('- error empty request');
    raw.request('bad id!', 'spawn', 'a:pause');
    expect(await raw.next()).toMatch(/^- error bad request id/);
    raw.request('b1');
    expect(await raw.next()).toBe('b1 error request has no verb (want mkfifo or spawn)');
    raw.request('b2', 'frobnicate');
    expect(await raw.next()).toBe('b2 error unknown verb "frobnicate" (want mkfifo or spawn)');
    raw.request('b3', 'spawn', 'a:lock', 'a:/etc/passwd');
    expect(await raw.next()).toMatch(/^b3 error spawn: mode "lock" is not one the spawner starts/);
    raw.request('b4', 'spawn', 'a:pause', 'x:1:/dev/null');
    expect(await raw.next()).toMatch(/^b4 error unknown field "x:1:\/dev\/null"/);
    raw.request('b5', 'spawn', 'a:pause', 'e:NOVALUE');
    expect(await raw.next()).toMatch(/^b5 error environment field is not NAME=VALUE/);
    raw.request('b6', 'spawn', 'a:pause', 'w:1:/dev/null', 'w:1:/dev/null');
    expect(await raw.next()).toBe('b6 error fd 1 given twice');
    raw.request('b7', 'spawn');
    expect(await raw.next()).toBe('b7 error spawn: no argument given (a:MODE)');
    raw.request('b8', 'spawn', 'a:pause', `w:1:${join(dir, 'missing')}`);
    expect(await raw.next()).toBe(`b8 error open ${join(dir, 'missing')}: No such file or directory`);
    // A request that never ends within the limit is dropped up to its end, then requests work again.
    raw.send(Buffer.alloc(300 * 1024, 'x'));
    raw.send('\0\0');
    expect(await raw.next()).toBe('- error request longer than 262144 bytes');
    // A FIFO whose reader is not open is refused (ENXIO) rather than blocking the spawner.
    raw.request('b9', 'mkfifo', join(dir, 'noreader'));
    expect(await raw.next()).toBe('b9 ok');
    raw.request('b10', 'spawn', 'a:pause', `w:1:${join(dir, 'noreader')}`);
    expect(await raw.next()).toBe(`b10 error open ${join(dir, 'noreader')}: No such device or address`);
    rmSync(join(dir, 'noreader'));
    raw.request('b11', 'mkfifo', join(dir, 'after'));
    expect(await raw.next()).toBe('b11 ok');
    rmSync(join(dir, 'after'));
    // Nothing was started by any of these, and the spawner holds only its pipes and its signalfd.
    expect(openFds(raw.child.pid!)).toEqual([0, 1, 2, 3]);
    expect(readFileSync(`/proc/${raw.child.pid}/task/${raw.child.pid}/children`, 'utf8').trim()).toBe('');
  });

  it('a request split across writes is read whole', async () => {
    raw = new RawSpawner();
    const req = `c1\0mkfifo\0${join(dir, 'split')}\0\0`;
    raw.send(req.slice(0, 5));
    await new Promise((r) => setTimeout(r, 50));
    raw.send(req.slice(5));
    expect(await raw.next()).toBe('c1 ok');
    rmSync(join(dir, 'split'));
  });

  it('a child gets its own session, no blocked or ignored signal, only the fds and environment asked for', async () => {
    raw = new RawSpawner();
    const out = join(dir, 'out');
    raw.request('d1', 'mkfifo', out);
    expect(await raw.next()).toBe('d1 ok');
    const reader = openSync(out, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      raw.request('d2', 'spawn', 'a:pause', 'a:--unshare', 'a:ipc', `w:1:${out}`, 'e:FOO=bar', 'e:TINYLET_AGENT_PID=1');
      const reply = await raw.next();
      expect(reply).toMatch(/^d2 pid \d+$/);
      const pid = Number(reply.split(' ')[2]);
      await waitUntil(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pause'), 5000);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      expect(Number(stat[1])).toBe(raw.child.pid); // ppid: the spawner, which reaps it
      expect(Number(stat[3])).toBe(pid); // session id: setsid, as `detached` did
      expect(statusField(pid, 'SigBlk')).toBe('0000000000000000');
      expect(statusField(pid, 'SigIgn')).toBe('0000000000000000');
      expect(openFds(pid)).toEqual([0, 1, 2]);
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('tinylet-pause');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      // Its own TINYLET_AGENT_PID first: getenv() finds the spawner's pid, not the request's copy.
      expect(env[0]).toBe(`TINYLET_AGENT_PID=${raw.child.pid}`);
      expect(env).toContain('FOO=bar');
      expect(env).toHaveLength(3);
      process.kill(pid, 'SIGTERM');
      expect(await raw.next()).toBe('d2 exit 0');
      // SIGKILL is reported as the raw wait status 9.
      raw.request('d3', 'spawn', 'a:pause', 'a:--unshare', 'a:ipc');
      const pid2 = Number((await raw.next()).split(' ')[2]);
      process.kill(pid2, 'SIGKILL');
      expect(await raw.next()).toBe('d3 exit 9');
    } finally {
      closeSync(reader);
      rmSync(out, { force: true });
    }
  });

  it('closing its stdin stops the spawner, and every child dies with it', async () => {
    raw = new RawSpawner();
    raw.request('e1', 'spawn', 'a:pause', 'a:--unshare', 'a:ipc');
    const pid = Number((await raw.next()).split(' ')[2]);
    expect(alive(pid)).toBe(true);
    await raw.stop();
    await waitUntil(() => !alive(pid), 5000);
  });
});

describe('the agent side of the spawner', () => {
  it('a field holding a NUL byte is refused before it is sent', async () => {
    const s = new Spawner();
    try {
      await expect(s.spawn({ args: ['pause', 'a\0b'], env: {}, fds: [] })).rejects.toThrow('spawn argument "a\\0b" must be a string without null bytes');
      await expect(s.mkfifo([join(s.fifoDir, 'ok')])).resolves.toBeUndefined();
      rmSync(join(s.fifoDir, 'ok'));
    } finally {
      s.close();
    }
  });

  it('when the spawner dies its children die, pending and later requests fail clearly, and the next spawner works', async () => {
    const s = new Spawner();
    const sandbox = await s.spawn({ args: ['pause', '--unshare', 'ipc'], env: {}, fds: [] });
    expect(alive(sandbox.pid)).toBe(true);
    // Stopped, it cannot answer: the request is certainly pending when it is killed.
    process.kill(s.pid!, 'SIGSTOP');
    const pending = s.mkfifo([join(s.fifoDir, 'never')]);
    process.kill(s.pid!, 'SIGKILL');
    await expect(pending).rejects.toThrow(new SpawnError('tinylet-pause spawner killed by SIGKILL'));
    expect(await sandbox.exited).toEqual({ exitCode: 137, signal: 9 });
    await waitUntil(() => !alive(sandbox.pid), 5000);
    await expect(s.spawn({ args: ['pause'], env: {}, fds: [] })).rejects.toThrow(/spawner killed by SIGKILL/);

    // The agent's own spawner: killed, it is replaced on the next start.
    const first = processSpawner();
    const firstPid = first.pid!;
    process.kill(firstPid, 'SIGKILL');
    await waitUntil(() => !first.alive, 5000);
    // Started here, so that the new spawner's own pipes are not counted as the sandbox's.
    expect(processSpawner().pid).not.toBe(firstPid);
    const fdsBefore = openFds('self').length;
    const box = await startSandbox({ hostname: 'spawned', hostNetwork: false, sharePid: false });
    expect(processSpawner().pid).not.toBe(firstPid);
    expect(readFileSync(`/proc/${box.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]).toBe(String(processSpawner().pid));
    await stopSandbox(box);
    // The sandbox's output FIFOs are closed once it is gone; their names never outlive the spawn.
    await waitUntil(() => openFds('self').length <= fdsBefore, 5000);
    expect(readdirSync(processSpawner().fifoDir)).toEqual([]);
  });
});

describe('pods when the spawner dies', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('the sandbox and containers die with it, the agent sees the sandbox lost and starts the pod again', async () => {
    node = testNode({ podNetwork: false });
    const running = (p: Pod) => p.status?.containerStatuses?.[0]?.state?.running !== undefined;
    const w = node.run(podManifest('respawned', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(node, w, running);
    const spawnerPid = processSpawner().pid!;
    const firstSandbox = w.sandbox!.pid;
    process.kill(spawnerPid, 'SIGKILL');
    await waitUntil(() => eventsOf(node, w).some((e) => e.reason === 'SandboxChanged'), 10_000);
    await waitForPod(node, w, (p) => running(p) && w.sandbox !== undefined && w.sandbox.pid !== firstSandbox, 20_000);
    expect(alive(firstSandbox)).toBe(false);
    expect(processSpawner().pid).not.toBe(spawnerPid);
    expect(w.pod.status!.containerStatuses![0]!.restartCount).toBeGreaterThanOrEqual(1);
  });
});

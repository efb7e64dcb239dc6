import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { agentPidEnv, pauseBinary } from './paths.js';
import { processExists } from './processTree.js';
import { decodeWaitStatus, type ProcessExit } from './signals.js';

/**
 * The agent's side of `tinylet-pause spawner` (agent/spawner.c, where the protocol is described):
 * one small long-lived process that forks and execs the sandboxes and launchers and makes their
 * FIFOs, so the agent itself never forks on a pod start (a fork of the big Node process costs
 * ~6 ms of main-thread time; the spawner's, well under one).
 *
 * File descriptors cross as FIFOs opened by path rather than with SCM_RIGHTS: Node cannot take
 * ancillary data from a plain socket. The agent opens its end of each FIFO (a read end, or a
 * never-blocking O_RDWR write end) before it asks for the spawn, so the spawner's own open of the
 * child's end never blocks and nothing the child writes early is lost.
 */

export interface SpawnFd {
  /** The child's fd number, 0-9. */
  fd: number;
  path: string;
  mode: 'read' | 'write';
}

export interface SpawnRequest {
  /** Arguments after the binary's name: the mode first (pause, launch, exec). */
  args: string[];
  /** The child's whole environment; TINYLET_AGENT_PID (the spawner, its parent) is added. */
  env: Record<string, string>;
  /** fds 0-2 not given are /dev/null; no other fd of the agent or the spawner is inherited. */
  fds: SpawnFd[];
}

export interface SpawnedProcess {
  pid: number;
  /** Its wait status, decoded; SIGKILL when the spawner died first (PDEATHSIG took the child along). */
  exited: Promise<ProcessExit>;
}

/** The spawner could not start a process (or is not running): the start fails, the agent goes on. */
export class SpawnError extends Error {}

interface Pending {
  reply: (word: string, rest: string) => void;
  fail: (err: Error) => void;
}

const NUL = '\0';

/** Fields end with NUL, so none may hold one: a pod's value (a sysctl, a hook's command) could try. */
function encode(fields: string[]): string {
  return fields.map((f) => f + NUL).join('') + NUL;
}

function refuseNul(what: string, value: string): void {
  if (value.includes(NUL)) throw new SpawnError(`spawn ${what} "${value.replace(/\0/g, '\\0')}" must be a string without null bytes`);
}

/**
 * One running spawner. After it dies every request fails and every child counts as SIGKILLed
 * (they die with it); processSpawner() then starts a new one for the next request.
 */
export class Spawner {
  /**
   * This process's directory for FIFOs that belong to no pod directory (an exec's output), named
   * after its pid: a FIFO lives there only from its mkfifo to its spawn, and the directories of
   * processes gone (killed before they could remove theirs) are removed by the next spawner's start.
   */
  readonly fifoDir = processFifoDir();
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private readonly live = new Map<string, (exit: ProcessExit) => void>();
  private nextId = 1;
  private stderr = '';
  private deadReason?: string;
  private closing = false;
  private readonly stdin: Writable;
  private readonly stdout: Readable & { ref?: () => void; unref?: () => void };

  constructor(binary = pauseBinary) {
    this.child = spawn(binary, ['spawner'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...agentPidEnv() } });
    this.stdin = this.child.stdin!;
    this.stdout = this.child.stdout!;
    // EPIPE when the spawner died: its 'exit' handler fails what was pending.
    this.stdin.on('error', () => undefined);
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    createInterface({ input: this.stdout }).on('line', (line) => this.onLine(line));
    this.child.once('error', (err) => this.died(`could not start: ${err.message}`));
    this.child.once('exit', (code, signal) => this.died(signal ? `killed by ${signal}` : `exited with code ${code}`));
    this.updateRef();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  /** Makes each path a FIFO (mode 0600); none is left made on a failure. */
  async mkfifo(paths: string[]): Promise<void> {
    for (const p of paths) refuseNul('FIFO path', p);
    const { word, rest } = await this.request(['mkfifo', ...paths]);
    if (word !== 'ok') throw new SpawnError(rest);
  }

  /** Resolves once the child has exec'd. */
  async spawn(req: SpawnRequest): Promise<SpawnedProcess> {
    // The spawner sets TINYLET_AGENT_PID itself: it, not the agent, is the parent the child checks.
    const env = Object.entries(req.env).filter(([k]) => k !== 'TINYLET_AGENT_PID');
    for (const a of req.args) refuseNul('argument', a);
    for (const [k, v] of env) refuseNul(`environment variable ${JSON.stringify(k)}`, `${k}=${v}`);
    for (const f of req.fds) {
      refuseNul(`fd ${f.fd} path`, f.path);
      if (!Number.isInteger(f.fd) || f.fd < 0 || f.fd > 9) throw new SpawnError(`spawn fd ${f.fd}: only 0-9 can be given`);
    }
    const fields = [...req.args.map((a) => `a:${a}`), ...env.map(([k, v]) => `e:${k}=${v}`)];
    for (const f of req.fds) fields.push(`${f.mode === 'read' ? 'r' : 'w'}:${f.fd}:${f.path}`);
    let resolveExit!: (exit: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((r) => (resolveExit = r));
    const { word, rest } = await this.request(['spawn', ...fields], resolveExit);
    if (word !== 'pid') throw new SpawnError(rest);
    return { pid: Number(rest), exited };
  }

  /** Lets the spawner go: it exits, and every process it started dies with it. */
  close(): void {
    this.closing = true;
    this.stdin.end();
  }

  private request(fields: string[], onExit?: (exit: ProcessExit) => void): Promise<{ word: string; rest: string }> {
    if (this.deadReason) return Promise.reject(this.deadError());
    const id = String(this.nextId++);
    const data = encode([id, ...fields]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        reply: (word, rest) => {
          // The exit line can only follow the pid line: the child is registered before any other reply is read.
          if (word === 'pid' && onExit) this.live.set(id, onExit);
          resolve({ word, rest });
        },
        fail: reject,
      });
      this.updateRef();
      this.stdin.write(data);
    });
  }

  private onLine(line: string): void {
    const [id = '', word = '', ...restWords] = line.split(' ');
    const rest = restWords.join(' ');
    if (word === 'exit') {
      const done = this.live.get(id);
      this.live.delete(id);
      done?.(decodeWaitStatus(Number(rest)));
    } else {
      const p = this.pending.get(id);
      // "- error": a request the spawner could not read; ours are well-formed, so it is a bug worth seeing.
      if (!p) {
        if (id === '-') process.stderr.write(`tinylet: spawner: ${rest}\n`);
        return;
      }
      this.pending.delete(id);
      p.reply(word, rest);
    }
    this.updateRef();
  }

  private died(reason: string): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    // Let go by close(), it exits quietly; otherwise its pods' sandboxes died with it: worth a line.
    if (!this.closing) console.error(`tinylet: the process spawner (pid ${this.child.pid}) ${reason}; the next start uses a new one`);
    const err = this.deadError();
    for (const p of this.pending.values()) p.fail(err);
    this.pending.clear();
    // Every child had PDEATHSIG set to SIGKILL with the spawner as its parent.
    for (const done of this.live.values()) done({ exitCode: 128 + 9, signal: 9 });
    this.live.clear();
    this.updateRef();
  }

  private deadError(): SpawnError {
    const why = this.stderr.trim();
    return new SpawnError(`tinylet-pause spawner ${this.deadReason}${why ? `: ${why}` : ''}`);
  }

  /** Keeps the agent's event loop alive only while something is asked or running, as a child process would. */
  private updateRef(): void {
    const busy = this.pending.size > 0 || this.live.size > 0;
    const handles = [this.child, this.stdout, this.child.stderr, this.stdin] as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) (busy ? h.ref : h.unref)?.call(h);
  }
}

/**
 * The FIFOs of this process's spawns live in a directory mkdtemp made (0700, a fresh name nobody
 * could have planted: the agent is root and /tmp is world-writable). Its name carries the pid, so a
 * later process removes the directories of processes that died without their exit handler; only
 * real directories owned by this uid are swept, never a symlink or another user's entry.
 */
const FIFO_PREFIX = 'tinylet-spawner-';
let fifoRoot: string | undefined;

function processFifoDir(): string {
  if (fifoRoot) return fifoRoot;
  for (const name of readdirSync(tmpdir())) {
    const pid = new RegExp(`^${FIFO_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || processExists(Number(pid))) continue;
    const path = join(tmpdir(), name);
    try {
      const st = lstatSync(path);
      if (st.isDirectory() && st.uid === process.getuid?.()) rmSync(path, { recursive: true, force: true });
    } catch {
      /* gone meanwhile */
    }
  }
  fifoRoot = mkdtempSync(join(tmpdir(), `${FIFO_PREFIX}${process.pid}-`));
  const dir = fifoRoot;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let current: Spawner | undefined;

/** The agent's spawner: started on first use, started again after it died. */
export function processSpawner(): Spawner {
  if (!current || !current.alive) current = new Spawner();
  return current;
}

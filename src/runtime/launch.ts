import { spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { cgroupLayout } from './cgroupMounts.js';
import { addBind, addSecurity, SpecValueError, SpecWriter, type Bind, type ProcessSecurity } from './containerSpec.js';
import type { Hiding } from './hostRoot.js';
import { MASKED_PATHS, READONLY_PATHS } from './ociDefaults.js';
import { agentPidEnv, pauseBinary } from './paths.js';
import { runProcess } from './runProcess.js';
import { decodeWaitStatus, type ProcessExit } from './signals.js';
import type { Sandbox } from './sandbox.js';

export interface RootFs {
  /** Where the overlay is mounted (inside the container's own mount namespace only). */
  mountPoint: string;
  upper: string;
  work: string;
  /** The image's root directory: the host's / for host-backed images. */
  lower: string;
  /** Lower paths the container must not see (the host's private files under a host-backed root). */
  hide: Hiding;
}

export interface LaunchSpec {
  sandbox: Sandbox;
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  rootfs: RootFs;
  /** Bind mounts applied inside the container's root, targets resolved there. */
  binds: Bind[];
  /** A directory for the instance's stdout/stderr FIFOs. */
  ioDir: string;
  /** Where the launcher's spec is written; `exec` into the container reads it again. */
  specPath: string;
  /** cgroup directories the container's PID 1 joins before exec, then a cgroup namespace rooted there. */
  cgroups?: string[];
  security: ProcessSecurity;
  /** The container's `stdin: true`: its stdin is a FIFO whose write end the agent holds (else /dev/null). */
  stdin?: boolean;
  /** The container's `tty: true`: a terminal of its own devpts as its controlling tty, relayed by the launcher. */
  tty?: boolean;
}

export interface ContainerProcess {
  /** Host PID of the container's main process (PID 1 of its own PID namespace unless shared). */
  pid: number;
  /** The container's spec: exec probes, hooks and `kubectl exec` run with its identity. */
  specPath: string;
  startedAt: Date;
  stdout: Readable;
  stderr: Readable;
  /** With `stdin: true`: the container's input, open until its close() (EOF never comes by itself). */
  stdin?: ContainerStdin;
  /** With `tty: true`: sets the terminal's window size (SIGWINCH to its foreground process group). */
  resize?: (cols: number, rows: number) => void;
  exited: Promise<ProcessExit & { finishedAt: Date }>;
}

/**
 * The agent's end of a container's stdin. Writes never block the agent: what the container does not
 * read stays queued in memory, up to MAX_QUEUED. close() gives the
 * container EOF, as containerd closing the stdin of a `stdinOnce` container after its first attach.
 */
export class ContainerStdin {
  private readonly socket: Socket;
  private closed = false;

  constructor(fd: number) {
    this.socket = new Socket({ fd, readable: false, writable: true });
    // EPIPE/EBADF once the container is gone: input to a dead container is dropped.
    this.socket.on('error', () => this.close());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Input beyond what a container leaves unread up to this is dropped: a client cannot fill the agent's memory. */
  static readonly MAX_QUEUED = 4 * 1024 * 1024;

  /** False when the input was dropped (stdin closed, or too much of it unread). */
  write(data: Buffer | string): boolean {
    if (this.closed || this.socket.writableLength > ContainerStdin.MAX_QUEUED) return false;
    this.socket.write(data);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }
}

/** The container could not be started (bad command, working dir...): Kubernetes' StartError. */
export class StartError extends Error {}

/** The launcher's spec: the pod's namespaces, the root, the mounts, the identity and the command. */
function writeLaunchSpec(spec: LaunchSpec): void {
  const w = new SpecWriter();
  const pause = spec.sandbox.pid;
  w.add('ipcns', `/proc/${pause}/ns/ipc`);
  if (!spec.sandbox.hostNetwork) w.add('netns', `/proc/${pause}/ns/net`).add('utsns', `/proc/${pause}/ns/uts`);
  w.add('pidns', spec.sandbox.sharedPidNamespace ?? 'new');
  w.addAll('cgroup', spec.cgroups ?? []);
  if (spec.cgroups?.length) w.add('cgroupns', '1');
  const { mountPoint, upper, work, lower, hide } = spec.rootfs;
  w.add('rootfs', mountPoint).add('upper', upper).add('work', work).add('lower', lower);
  w.addAll('opaque', hide.opaque).addAll('whiteout', hide.whiteout);
  w.addAll('mask', MASKED_PATHS).addAll('ropath', READONLY_PATHS);
  const layout = cgroupLayout();
  for (const m of layout.mounts) w.add('cgmount', m.name, m.fstype, m.options);
  for (const l of layout.links) w.add('cglink', l.name, l.target);
  for (const b of spec.binds) addBind(w, b);
  if (spec.workingDir) w.add('workdir', spec.workingDir);
  addSecurity(w, spec.security);
  w.addAll('arg', spec.argv);
  w.addAll('env', Object.entries(spec.env).map(([k, v]) => `${k}=${v}`));
  w.write(spec.specPath);
}

/**
 * Starts a container: the launcher mode of the pause binary joins the sandbox's namespaces, makes
 * the PID, mount and cgroup namespaces, the root and the mounts, takes the container's identity,
 * execs the command, and reports the real wait status.
 */
export async function launchContainer(spec: LaunchSpec): Promise<ContainerProcess> {
  try {
    writeLaunchSpec(spec);
  } catch (err) {
    // A value the spec cannot hold is the pod's fault (CreateContainerError); a failed write (ENOSPC) is the start's.
    if (err instanceof SpecValueError) throw err;
    throw new StartError(`write launcher spec: ${(err as Error).message}`);
  }
  const io = await openOutputFifos(spec.ioDir);
  let input: StdinFifo | undefined;
  let child;
  try {
    if (spec.stdin) input = await openStdinFifo(spec.ioDir);
    // With a tty, fd 4 carries "COLS ROWS" lines to the launcher, which sets the terminal's size.
    const ttyArgs = spec.tty ? ['--tty', '--resize-fd', '4'] : [];
    child = spawn(pauseBinary, ['launch', '--spec', spec.specPath, '--report-fd', '3', ...ttyArgs], {
      env: agentPidEnv(),
      stdio: [input ? input.read : 'ignore', io.stdoutWrite, io.stderrWrite, 'pipe', spec.tty ? 'pipe' : 'ignore'],
      detached: true,
    });
  } catch (err) {
    for (const fd of [io.stdoutRead, io.stderrRead]) closeQuietly(fd);
    if (input) closeQuietly(input.write);
    throw err instanceof StartError ? err : new StartError(`start launcher: ${(err as Error).message}`);
  } finally {
    closeQuietly(io.stdoutWrite);
    closeQuietly(io.stderrWrite);
    if (input) closeQuietly(input.read);
  }
  const stdout = new Socket({ fd: io.stdoutRead, readable: true, writable: false });
  const stderr = new Socket({ fd: io.stderrRead, readable: true, writable: false });
  const stdin = input ? new ContainerStdin(input.write) : undefined;
  const report = createInterface({ input: child.stdio[3] as Readable });
  return new Promise((resolve, reject) => {
    let started: ContainerProcess | undefined;
    let resolveExit!: (e: ProcessExit & { finishedAt: Date }) => void;
    const exited = new Promise<ProcessExit & { finishedAt: Date }>((r) => (resolveExit = r));
    let launcherStderr = '';
    stderr.on('data', (d: Buffer) => {
      if (!started) launcherStderr += d.toString();
    });
    report.on('line', (line) => {
      const [word, ...rest] = line.split(' ');
      if (word === 'started') {
        const resizes = child.stdio[4] as Writable | null;
        resizes?.on('error', () => undefined);
        const resize = resizes ? (cols: number, rows: number) => void (resizes.writable && resizes.write(`${cols} ${rows}\n`)) : undefined;
        started = { pid: Number(rest[0]), specPath: spec.specPath, startedAt: new Date(), stdout, stderr, ...(stdin ? { stdin } : {}), ...(resize ? { resize } : {}), exited };
        resolve(started);
      } else if (word === 'failed') {
        reject(new StartError(rest.join(' ')));
      } else if (word === 'exited') {
        resolveExit({ ...decodeWaitStatus(Number(rest[0])), finishedAt: new Date() });
      }
    });
    child.once('error', (err) => {
      // The launcher never ran (EAGAIN, ENOMEM...): no exit or report will follow to release the FIFOs.
      stdout.destroy();
      stderr.destroy();
      stdin?.close();
      reject(new StartError(err.message));
    });
    // The report pipe closes when the launcher is gone; if it died without reporting (killed from
    // outside), the container died with it through PDEATHSIG.
    const launcherExit = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    const reportClosed = new Promise<void>((r) => report.once('close', r));
    void exited.then(() => stdin?.close());
    void Promise.all([launcherExit, reportClosed]).then(([[code, signal]]) => {
      stdin?.close();
      if (!started) {
        stdout.destroy();
        stderr.destroy();
        reject(new StartError(launcherStderr.trim() || `launcher exited with ${code ?? signal}`));
      }
      else resolveExit({ exitCode: code ?? 137, signal: signal ? 9 : undefined, finishedAt: new Date() });
    });
  });
}

/**
 * stdout/stderr are FIFOs rather than Node's socketpairs: programs that open /dev/stdout or
 * /dev/stderr (nginx's logs, `echo > /dev/stderr`) cannot open a socket through /proc/self/fd.
 */
async function openOutputFifos(dir: string) {
  const out = join(dir, 'stdout');
  const err = join(dir, 'stderr');
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StartError(`prepare ${dir}: ${(e as Error).message}`);
  }
  // Asynchronously: a synchronous spawn here would stall every probe and timer of the agent.
  const made = await runProcess('mkfifo', ['-m', '0600', out, err]);
  if (made.exitCode !== 0) throw new StartError(`mkfifo: ${made.stderr.trim()}`);
  // Opened in this order (each write end needs its read end open); on a failure (EMFILE) none is kept.
  const opened: number[] = [];
  try {
    for (const [path, flags] of [[out, constants.O_RDONLY | constants.O_NONBLOCK], [err, constants.O_RDONLY | constants.O_NONBLOCK], [out, constants.O_WRONLY], [err, constants.O_WRONLY]] as const) {
      opened.push(openSync(path, flags));
    }
  } catch (e) {
    for (const fd of opened) closeQuietly(fd);
    throw new StartError(`open output FIFOs: ${(e as Error).message}`);
  }
  const [stdoutRead, stderrRead, stdoutWrite, stderrWrite] = opened as [number, number, number, number];
  return { stdoutRead, stderrRead, stdoutWrite, stderrWrite };
}

interface StdinFifo {
  read: number;
  write: number;
}

/**
 * The container's stdin, a FIFO too (`cat /dev/stdin` must work). The agent's end is opened O_RDWR
 * first so that neither open blocks (a FIFO open for reading waits for a writer), and non-blocking:
 * that flag belongs to the agent's open file, not to the container's, whose reads block as on a pipe.
 */
async function openStdinFifo(dir: string): Promise<StdinFifo> {
  const path = join(dir, 'stdin');
  const made = await runProcess('mkfifo', ['-m', '0600', path]);
  if (made.exitCode !== 0) throw new StartError(`mkfifo: ${made.stderr.trim()}`);
  let write: number | undefined;
  try {
    write = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    return { write, read: openSync(path, constants.O_RDONLY) };
  } catch (e) {
    if (write !== undefined) closeQuietly(write);
    throw new StartError(`open stdin FIFO: ${(e as Error).message}`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

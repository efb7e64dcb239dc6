import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { cgroupLayout } from './cgroupMounts.js';
import { addBind, addSecurity, SpecValueError, SpecWriter, type Bind, type ProcessSecurity } from './containerSpec.js';
import type { Hiding } from './hostRoot.js';
import { MASKED_PATHS, READONLY_PATHS } from './ociDefaults.js';
import { decodeWaitStatus, signalName, type ProcessExit } from './signals.js';
import { processSpawner, type SpawnedProcess, type SpawnFd } from './spawner.js';
import { dateOfMonotonicNs, StopControl } from './stopControl.js';
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
  /** The launcher's stop deadline (stopControl.ts): stop signal and SIGKILL on its clock, not the agent's. */
  stopControl?: StopControl;
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
  const io = await openOutputFifos(spec.ioDir, spec.tty === true);
  let input: StdinFifo | undefined;
  let child: SpawnedProcess;
  try {
    if (spec.stdin) input = await openStdinFifo(spec.ioDir);
    // With a tty, fd 4 carries "COLS ROWS" lines to the launcher, which sets the terminal's size.
    const ttyArgs = spec.tty ? ['--tty', '--resize-fd', '4'] : [];
    // The spawner (spawner.ts) opens the launcher's ends of the FIFOs whose agent ends are open.
    const fds: SpawnFd[] = [
      { fd: 1, path: io.paths.stdout, mode: 'write' },
      { fd: 2, path: io.paths.stderr, mode: 'write' },
      { fd: 3, path: io.paths.report, mode: 'write' },
      { fd: 5, path: io.paths.control, mode: 'read' },
    ];
    if (input) fds.push({ fd: 0, path: input.path, mode: 'read' });
    if (io.paths.resize) fds.push({ fd: 4, path: io.paths.resize, mode: 'read' });
    child = await processSpawner().spawn({ args: ['launch', '--spec', spec.specPath, '--report-fd', '3', '--control-fd', '5', ...ttyArgs], env: {}, fds });
  } catch (err) {
    for (const fd of io.agentFds) closeQuietly(fd);
    if (input) closeQuietly(input.write);
    throw err instanceof StartError ? err : new StartError(`start launcher: ${(err as Error).message}`);
  }
  const stdout = new Socket({ fd: io.stdoutRead, readable: true, writable: false });
  const stderr = new Socket({ fd: io.stderrRead, readable: true, writable: false });
  const stdin = input ? new ContainerStdin(input.write) : undefined;
  const reportStream = new Socket({ fd: io.reportRead, readable: true, writable: false });
  const report = createInterface({ input: reportStream });
  const resizes = io.resizeWrite === undefined ? undefined : new Socket({ fd: io.resizeWrite, readable: false, writable: true });
  const stopControl = new StopControl(new Socket({ fd: io.controlWrite, readable: false, writable: true }));
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
        resizes?.on('error', () => undefined);
        const resize = resizes ? (cols: number, rows: number) => void (resizes.writable && resizes.write(`${cols} ${rows}\n`)) : undefined;
        started = { pid: Number(rest[0]), specPath: spec.specPath, startedAt: new Date(), stdout, stderr, ...(stdin ? { stdin } : {}), ...(resize ? { resize } : {}), exited, stopControl };
        resolve(started);
      } else if (word === 'failed') {
        reject(new StartError(rest.join(' ')));
      } else if (word === 'exited') {
        stopControl.onReport(word, rest);
        // "exited STATUS NS": when the launcher's wait returned, however late this line is read.
        resolveExit({ ...decodeWaitStatus(Number(rest[0])), finishedAt: dateOfMonotonicNs(rest[1]) });
      } else if (word) {
        stopControl.onReport(word, rest);
      }
    });
    // The report pipe closes when the launcher is gone; if it died without reporting (killed from
    // outside), the container died with it through PDEATHSIG.
    const launcherExit = child.exited.then((e): [number | null, string | null] => (e.signal ? [null, signalName(e.signal)] : [e.exitCode, null]));
    const reportClosed = new Promise<void>((r) => report.once('close', r));
    void exited.then(() => stdin?.close());
    void Promise.all([launcherExit, reportClosed]).then(([[code, signal]]) => {
      stdin?.close();
      reportStream.destroy();
      resizes?.destroy();
      stopControl.close();
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
async function openOutputFifos(dir: string, tty: boolean) {
  // Beside the output, the launcher's report ("started"/"failed"/"exited" lines), its control input
  // (stop orders, stopControl.ts) and, with a tty, its resize input.
  const paths = { stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr'), report: join(dir, 'report'), control: join(dir, 'control'), resize: tty ? join(dir, 'resize') : undefined };
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StartError(`prepare ${dir}: ${(e as Error).message}`);
  }
  // By the spawner: no process of the agent's own (a fork would stall every probe and timer of the agent).
  await makeFifos([paths.stdout, paths.stderr, paths.report, paths.control, ...(paths.resize ? [paths.resize] : [])]);
  // The agent's ends, before the launcher's: a FIFO's write end opens only once a reader is there.
  // The control and resize ends are O_RDWR so that they never block; on a failure (EMFILE) none is kept.
  const opened: number[] = [];
  try {
    const wanted: [string, number][] = [[paths.stdout, constants.O_RDONLY], [paths.stderr, constants.O_RDONLY], [paths.report, constants.O_RDONLY], [paths.control, constants.O_RDWR]];
    if (paths.resize) wanted.push([paths.resize, constants.O_RDWR]);
    for (const [path, flags] of wanted) opened.push(openSync(path, flags | constants.O_NONBLOCK));
  } catch (e) {
    for (const fd of opened) closeQuietly(fd);
    throw new StartError(`open output FIFOs: ${(e as Error).message}`);
  }
  const [stdoutRead, stderrRead, reportRead, controlWrite, resizeWrite] = opened as [number, number, number, number, number | undefined];
  return { paths, stdoutRead, stderrRead, reportRead, controlWrite, resizeWrite, agentFds: opened };
}

async function makeFifos(paths: string[]): Promise<void> {
  try {
    await processSpawner().mkfifo(paths);
  } catch (e) {
    throw new StartError(`mkfifo: ${(e as Error).message}`);
  }
}

interface StdinFifo {
  path: string;
  write: number;
}

/**
 * The container's stdin, a FIFO too (`cat /dev/stdin` must work). The agent's end is opened O_RDWR
 * first so that neither open blocks (a FIFO open for reading waits for a writer), and non-blocking:
 * that flag belongs to the agent's open file, not to the container's, whose reads block as on a pipe.
 */
async function openStdinFifo(dir: string): Promise<StdinFifo> {
  const path = join(dir, 'stdin');
  await makeFifos([path]);
  try {
    return { path, write: openSync(path, constants.O_RDWR | constants.O_NONBLOCK) };
  } catch (e) {
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

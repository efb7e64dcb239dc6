import { spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
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
}

export interface ContainerProcess {
  /** Host PID of the container's main process (PID 1 of its own PID namespace unless shared). */
  pid: number;
  /** The container's spec: exec probes, hooks and `kubectl exec` run with its identity. */
  specPath: string;
  startedAt: Date;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ProcessExit & { finishedAt: Date }>;
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
  let child;
  try {
    child = spawn(pauseBinary, ['launch', '--spec', spec.specPath, '--report-fd', '3'], {
      env: agentPidEnv(),
      stdio: ['ignore', io.stdoutWrite, io.stderrWrite, 'pipe'],
      detached: true,
    });
  } catch (err) {
    for (const fd of [io.stdoutRead, io.stderrRead]) closeQuietly(fd);
    throw new StartError(`start launcher: ${(err as Error).message}`);
  } finally {
    closeQuietly(io.stdoutWrite);
    closeQuietly(io.stderrWrite);
  }
  const stdout = new Socket({ fd: io.stdoutRead, readable: true, writable: false });
  const stderr = new Socket({ fd: io.stderrRead, readable: true, writable: false });
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
        started = { pid: Number(rest[0]), specPath: spec.specPath, startedAt: new Date(), stdout, stderr, exited };
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
      reject(new StartError(err.message));
    });
    // The report pipe closes when the launcher is gone; if it died without reporting (killed from
    // outside), the container died with it through PDEATHSIG.
    const launcherExit = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    const reportClosed = new Promise<void>((r) => report.once('close', r));
    void Promise.all([launcherExit, reportClosed]).then(([[code, signal]]) => {
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

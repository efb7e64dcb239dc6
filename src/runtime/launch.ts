import { spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { NSENTER, pauseBinary } from './paths.js';
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
}

export interface LaunchSpec {
  sandbox: Sandbox;
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  rootfs?: RootFs;
  /** `src:dst[:ro]` bind mounts applied inside the container's root. */
  binds: string[];
  /** A directory for the instance's stdout/stderr FIFOs. */
  ioDir: string;
  /** cgroup directories the container's PID 1 joins before exec (resources.limits). */
  cgroups?: string[];
}

export interface ContainerProcess {
  /** Host PID of the container's main process (PID 1 of its own PID namespace unless shared). */
  pid: number;
  startedAt: Date;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ProcessExit & { finishedAt: Date }>;
}

/** The container could not be started (bad command, working dir...): Kubernetes' StartError. */
export class StartError extends Error {}

/**
 * Starts a container: nsenter joins the sandbox's namespaces, then the launcher mode of the pause
 * binary makes the PID and mount namespaces, execs the command, and reports the real wait status.
 */
export async function launchContainer(spec: LaunchSpec): Promise<ContainerProcess> {
  const ns = spec.sandbox.hostNetwork ? ['--ipc'] : ['--net', '--ipc', '--uts'];
  const launcherArgs = ['launch', '--pidns', spec.sandbox.sharedPidNamespace ?? 'new', '--report-fd', '3'];
  if (spec.rootfs) launcherArgs.push('--rootfs', spec.rootfs.mountPoint, '--upper', spec.rootfs.upper, '--work', spec.rootfs.work, '--lower', spec.rootfs.lower);
  for (const b of spec.binds) launcherArgs.push('--bind', b);
  for (const c of spec.cgroups ?? []) launcherArgs.push('--cgroup', c);
  if (spec.workingDir) launcherArgs.push('--workdir', spec.workingDir);
  const io = await openOutputFifos(spec.ioDir);
  const child = spawn(NSENTER, ['--target', String(spec.sandbox.pid), ...ns, '--', pauseBinary, ...launcherArgs, '--', ...spec.argv], {
    env: spec.env,
    stdio: ['ignore', io.stdoutWrite, io.stderrWrite, 'pipe'],
    detached: true,
  });
  closeSync(io.stdoutWrite);
  closeSync(io.stderrWrite);
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
        started = { pid: Number(rest[0]), startedAt: new Date(), stdout, stderr, exited };
        resolve(started);
      } else if (word === 'failed') {
        reject(new StartError(rest.join(' ')));
      } else if (word === 'exited') {
        resolveExit({ ...decodeWaitStatus(Number(rest[0])), finishedAt: new Date() });
      }
    });
    child.once('error', (err) => reject(new StartError(err.message)));
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
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'stdout');
  const err = join(dir, 'stderr');
  // Asynchronously: a synchronous spawn here would stall every probe and timer of the agent.
  const made = await runProcess('mkfifo', ['-m', '0600', out, err]);
  if (made.exitCode !== 0) throw new StartError(`mkfifo: ${made.stderr.trim()}`);
  const stdoutRead = openSync(out, constants.O_RDONLY | constants.O_NONBLOCK);
  const stderrRead = openSync(err, constants.O_RDONLY | constants.O_NONBLOCK);
  return { stdoutRead, stderrRead, stdoutWrite: openSync(out, constants.O_WRONLY), stderrWrite: openSync(err, constants.O_WRONLY) };
}

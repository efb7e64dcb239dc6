import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { longTimeout } from './longTimeout.js';
import { agentPidEnv, pauseBinary } from './paths.js';
import { processSpawner, type SpawnedProcess } from './spawner.js';

export interface ExecTarget {
  /** Host PID of the container's main process: its namespaces are the ones entered. */
  pid: number;
  /** The container's launcher spec: its cgroups, user, capabilities and seccomp filter. */
  specPath: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

/**
 * The pause binary's exec mode: joins every namespace and cgroup of the container, takes its
 * identity (user, groups, capabilities, no_new_privs, seccomp) and working dir, then execs, as
 * `runc exec` does for kubectl exec, exec probes and exec hooks. With tty, the command gets a terminal
 * of the container's own devpts, relayed to the caller's (node-pty's) terminal.
 */
/** The exec'd command's environment, plus what the pause binary takes out of it before exec. */
export function execEnv(env: Record<string, string>): Record<string, string> {
  return { ...env, ...agentPidEnv() };
}

export function execArgv(target: ExecTarget, argv: string[], opts: { tty?: boolean } = {}): [string, string[]] {
  return [pauseBinary, ['exec', '--spec', target.specPath, '--target', String(target.pid), ...(opts.tty ? ['--tty'] : []), '--', ...argv]];
}

/** Output kept of an exec'd command (stdout and stderr together); the rest is read and dropped. */
const MAX_OUTPUT = 1024 * 1024;
let fifoSerial = 0;

/**
 * Runs a command inside a container, as exec probes and exec hooks do (`kubectl exec` streams, see
 * podExec.ts). The pause binary's exec mode is started by the agent's spawner (spawner.ts), not
 * forked from the agent: a fork of the big Node process costs ~6 ms of main-thread time, and 100
 * pods with an exec probe every second would pay it 100 times a second. Its stdout and stderr go to
 * one FIFO whose read end the agent opened first (the combined output, as exec.go keeps it). The
 * command runs in its own session and process group (the spawner's setsid), so a timeout kills it
 * together with whatever it forked.
 */
export async function execInContainer(
  target: ExecTarget,
  argv: string[],
  opts: { env: Record<string, string>; timeoutMs?: number },
): Promise<ExecResult> {
  const spawner = processSpawner();
  const fifo = join(spawner.fifoDir, `exec-${++fifoSerial}.out`);
  await spawner.mkfifo([fifo]);
  let fd: number | undefined;
  let child: SpawnedProcess;
  let output: Socket;
  try {
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const [, args] = execArgv(target, argv);
    child = await spawner.spawn({ args, env: execEnv(opts.env), fds: [{ fd: 1, path: fifo, mode: 'write' }, { fd: 2, path: fifo, mode: 'write' }] });
    output = new Socket({ fd, readable: true, writable: false });
    fd = undefined;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    throw err;
  } finally {
    rmSync(fifo, { force: true });
  }
  const chunks: Buffer[] = [];
  let kept = 0;
  output.on('data', (d: Buffer) => {
    if (kept < MAX_OUTPUT) chunks.push(d.subarray(0, MAX_OUTPUT - kept));
    kept += d.length;
  });
  const ended = new Promise<void>((r) => output.once('close', () => r()));
  output.on('error', () => undefined);
  let timedOut = false;
  // A probe's timeoutSeconds may be up to 2^31-1 s: beyond setTimeout's reach, hence longTimeout.
  const timer =
    opts.timeoutMs !== undefined
      ? longTimeout(opts.timeoutMs, () => {
          timedOut = true;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        })
      : undefined;
  const exit = await child.exited;
  timer?.clear();
  // The output ends when every writer is gone; a daemon the command left holding it does not hold the result.
  const drained = setTimeout(() => output.destroy(), 100);
  await ended;
  clearTimeout(drained);
  return { exitCode: exit.exitCode, output: Buffer.concat(chunks).toString(), timedOut };
}

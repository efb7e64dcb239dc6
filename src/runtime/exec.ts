import { longTimeout } from './longTimeout.js';
import { agentPidEnv, pauseBinary } from './paths.js';

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

/**
 * Runs a command inside a container, as `kubectl exec` and exec probes/hooks do. The command runs in its
 * own process group so a timeout kills it together with whatever it forked.
 */
export async function execInContainer(
  target: ExecTarget,
  argv: string[],
  opts: { env: Record<string, string>; timeoutMs?: number },
): Promise<ExecResult> {
  // Loaded on first use: importing execa costs ~130 ms that pod start-up should not pay.
  const { execa } = await import('execa');
  const [file, args] = execArgv(target, argv);
  const child = execa(file, args, {
    env: execEnv(opts.env),
    extendEnv: false,
    reject: false,
    all: true,
    detached: true,
    stdin: 'ignore',
    maxBuffer: 1024 * 1024,
  });
  let timedOut = false;
  // A probe's timeoutSeconds may be up to 2^31-1 s: beyond setTimeout's reach, hence longTimeout.
  const timer =
    opts.timeoutMs !== undefined
      ? longTimeout(opts.timeoutMs, () => {
          timedOut = true;
          if (child.pid) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
        })
      : undefined;
  const result = await child;
  timer?.clear();
  const output = typeof result.all === 'string' ? result.all : '';
  return { exitCode: result.exitCode ?? 128 + 9, output, timedOut };
}

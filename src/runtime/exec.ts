import { NSENTER } from './paths.js';

export interface ExecTarget {
  /** Host PID of the container's main process: its namespaces are the ones entered. */
  pid: number;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

/** nsenter arguments entering every namespace of a container, PID and mount included. */
export function nsenterArgs(pid: number): string[] {
  return ['--target', String(pid), '--net', '--ipc', '--uts', '--pid', '--mount', '--'];
}

/**
 * Runs a command inside a container, as `kubectl exec` and exec probes/hooks do. The command runs in its
 * own process group so a timeout kills it together with whatever it forked.
 */
export async function execInContainer(
  target: ExecTarget,
  argv: string[],
  opts: { env: Record<string, string>; timeoutMs?: number; cwd?: string },
): Promise<ExecResult> {
  // Loaded on first use: importing execa costs ~130 ms that pod start-up should not pay.
  const { execa } = await import('execa');
  const child = execa(NSENTER, [...nsenterArgs(target.pid), ...argv], {
    env: opts.env,
    extendEnv: false,
    reject: false,
    all: true,
    detached: true,
    stdin: 'ignore',
    maxBuffer: 1024 * 1024,
  });
  let timedOut = false;
  const timer =
    opts.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
        }, opts.timeoutMs)
      : undefined;
  const result = await child;
  if (timer) clearTimeout(timer);
  const output = typeof result.all === 'string' ? result.all : '';
  return { exitCode: result.exitCode ?? 128 + 9, output, timedOut };
}

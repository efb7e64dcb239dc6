import type { ExecAction } from '../../api/types.js';
import { expandVars } from '../../runtime/command.js';
import { execInContainer } from '../../runtime/exec.js';
import type { ProbeTarget } from './types.js';
import { errored, type Runner } from './runner.js';

/** exec.go keeps at most 10KB of a probe command's combined output. */
export const maxExecOutput = 10 * 1024;

/**
 * exec.go: runs the command in the container's namespaces with its environment; exit 0 is success,
 * any other exit a failure, a timeout a failure too.
 */
export function execRunner(action: ExecAction, target: ProbeTarget, timeoutMs: number): Runner {
  // ExpandContainerCommandOnlyStatic: $(VAR) from the container's literal env values only.
  const statics: Record<string, string> = {};
  for (const v of target.container.env ?? []) if (v.value !== undefined && !v.valueFrom) statics[v.name] = v.value;
  const argv = (action.command ?? []).map((arg) => expandVars(arg, statics));
  if (argv.length === 0) return errored('exec probe has no command');
  const timedOut = `command ${JSON.stringify(argv.join(' '))} timed out`;

  return async () => {
    try {
      const res = await execInContainer({ pid: target.pid, specPath: target.specPath }, argv, { env: target.env, timeoutMs });
      if (res.timedOut) return { result: 'failure', output: timedOut };
      return { result: res.exitCode === 0 ? 'success' : 'failure', output: res.output.slice(0, maxExecOutput).trim() };
    } catch (err) {
      return { result: 'unknown', output: err instanceof Error ? err.message : String(err) };
    }
  };
}

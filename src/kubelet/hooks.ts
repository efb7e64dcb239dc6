import type { LifecycleHandler } from '../api/types.js';
import { execInContainer } from '../runtime/exec.js';
import { httpRunner } from './prober/httpRunner.js';
import type { ProbeTarget } from './prober/types.js';
import { sleep } from './sleep.js';

export interface HookContext {
  /** The container instance the hook acts on (the same view the probes have). */
  target: ProbeTarget;
  /** Aborts a sleep hook that is no longer waited for (preStop past the grace period). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Which hook this is: its start and end go to the container's timeline record. */
  hook?: 'postStart' | 'preStop';
}

export interface HookResult {
  ok: boolean;
  /** The kubelet-style description of a failure, for the FailedPostStartHook/FailedPreStopHook event. */
  message: string;
}

/**
 * Runs a postStart/preStop handler: exec in the container's namespaces, httpGet from the agent, or
 * sleep. Never rejects: a hook that cannot even be run (a command execa refuses, as one with a NUL
 * byte) is a failed hook, so the kill that waits for a preStop still goes on to the stop signal.
 */
export async function runLifecycleHandler(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  const timeline = ctx.hook ? ctx.target.timeline : undefined;
  timeline?.hook(ctx.hook!, 'start');
  let res: HookResult;
  try {
    res = await runHandler(handler, ctx);
  } catch (err) {
    const kind = handler.exec ? 'Exec' : handler.httpGet ? 'HTTP' : 'Sleep';
    res = { ok: false, message: `${kind} lifecycle hook failed - error: ${err instanceof Error ? err.message : String(err)}` };
  }
  timeline?.hook(ctx.hook!, 'end', res.ok);
  return res;
}

async function runHandler(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  if (handler.exec) {
    const argv = handler.exec.command ?? [];
    const r = await execInContainer({ pid: ctx.target.pid, specPath: ctx.target.specPath }, argv, { env: ctx.target.env, timeoutMs: ctx.timeoutMs });
    if (r.exitCode === 0) return { ok: true, message: '' };
    return { ok: false, message: `Exec lifecycle hook (${JSON.stringify(argv)}) failed - error: command '${argv.join(' ')}' exited with ${r.exitCode}: ${r.output.trim()}` };
  }
  if (handler.httpGet) {
    // The same HTTP client as httpGet probes: pod IP unless host is set, named ports, headers.
    const r = await httpRunner(handler.httpGet, ctx.target, ctx.timeoutMs ?? 30_000)();
    if (r.result === 'success') return { ok: true, message: '' };
    return { ok: false, message: `HTTP lifecycle hook (${handler.httpGet.path ?? '/'}) failed - error: ${r.output}` };
  }
  if (handler.sleep) {
    await sleep(handler.sleep.seconds * 1000, ctx.signal);
    return { ok: true, message: '' };
  }
  return { ok: false, message: 'lifecycle handler has no action' };
}

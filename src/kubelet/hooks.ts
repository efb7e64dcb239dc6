import type { LifecycleHandler } from '../api/types.js';
import { execInContainer } from '../runtime/exec.js';
import { httpGetOnce } from './actions/httpGet.js';
import { sleep } from './sleep.js';

export interface HookContext {
  pid: number;
  env: Record<string, string>;
  podIP: string | undefined;
  ports: { name?: string; containerPort: number }[];
  /** Aborts a hook that is no longer waited for (preStop past the grace period). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface HookResult {
  ok: boolean;
  /** The kubelet-style description of a failure, for the FailedPostStartHook/FailedPreStopHook event. */
  message: string;
}

/** Runs a postStart/preStop handler: exec in the container's namespaces, httpGet from the agent, or sleep. */
export async function runLifecycleHandler(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  if (handler.exec) {
    const argv = handler.exec.command ?? [];
    const r = await execInContainer({ pid: ctx.pid }, argv, { env: ctx.env, timeoutMs: ctx.timeoutMs });
    if (r.exitCode === 0) return { ok: true, message: '' };
    const cmd = argv.join(' ');
    return { ok: false, message: `Exec lifecycle hook (${JSON.stringify(argv)}) failed - error: command '${cmd}' exited with ${r.exitCode}: ${r.output.trim()}` };
  }
  if (handler.httpGet) {
    const h = handler.httpGet;
    const port = typeof h.port === 'number' ? h.port : (ctx.ports.find((p) => p.name === h.port)?.containerPort ?? Number(h.port));
    const host = h.host || ctx.podIP || '127.0.0.1';
    const url = `${(h.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${h.path ?? '/'}`;
    const r = await httpGetOnce(url, h.httpHeaders ?? [], ctx.timeoutMs ?? 30_000);
    if (r.ok) return { ok: true, message: '' };
    return { ok: false, message: `HTTP lifecycle hook (${h.path ?? '/'}) failed - error: ${r.error}` };
  }
  if (handler.sleep) {
    await sleep(handler.sleep.seconds * 1000, ctx.signal);
    return { ok: true, message: '' };
  }
  return { ok: false, message: 'lifecycle handler has no action' };
}

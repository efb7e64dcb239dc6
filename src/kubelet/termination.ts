import type { ContainerProcess } from '../runtime/launch.js';
import { signalNumber } from '../runtime/signals.js';
import type { ProbeTarget } from './prober/types.js';
import type { ContainerRecord } from './containerRecord.js';
import type { EventType } from './events.js';
import { runLifecycleHandler, type HookContext } from './hooks.js';
import { sleep } from './sleep.js';

/** The kubelet never gives a container less than this between the stop signal and SIGKILL. */
export const MINIMUM_GRACE_SECONDS = 2;

/**
 * The launcher sends SIGKILL on its own clock (stopControl.ts); the agent's timer fires this much
 * later, should the launcher not have done it (no deadline thread, a broken control FIFO).
 */
export const BACKSTOP_MS = 250;

export interface KillContext {
  target(proc: ContainerProcess): ProbeTarget;
  /** Signal from the image's STOPSIGNAL, used when lifecycle.stopSignal is not set. */
  imageStopSignal?: string;
  /** `at`: when it happened, if not now (the launcher's SIGKILL, reported a moment later). */
  record(type: EventType, reason: string, message: string, r: ContainerRecord, at?: Date): void;
  /** Called synchronously right before the stop signal is sent (tinylet verify snapshots the process tree here). */
  beforeStopSignal?(pid: number): void;
}

export interface KillOptions {
  gracePeriodSeconds: number;
  /** The Killing event's message: "Stopping container web", "Container web failed liveness probe...". */
  message: string;
  skipPreStop?: boolean;
}

export function stopSignalOf(r: ContainerRecord, imageStopSignal?: string): string {
  const fromSpec = (r.spec.lifecycle as { stopSignal?: string } | undefined)?.stopSignal;
  const name = (fromSpec || imageStopSignal || 'SIGTERM').toUpperCase();
  return name.startsWith('SIG') ? name : `SIG${name}`;
}

/**
 * Stops one container on the Kubernetes clock (SEMANTICS §5.3–5.5): preStop within the grace period,
 * then the stop signal, then SIGKILL once the remaining grace (at least 2 s) has run out.
 * Concurrent requests (a delete during a liveness kill) share the first one; a shorter grace brings
 * its deadline forward (a forced delete after a graceful one), a longer one changes nothing. Grace
 * periods may be up to 2^63 s: the waits are long timers (sleep), measured on the monotonic clock.
 */
export function killContainer(r: ContainerRecord, ctx: KillContext, opts: KillOptions): Promise<void> {
  if (r.killing) {
    r.shortenKill?.(opts.gracePeriodSeconds);
    return r.killing;
  }
  const proc = r.process;
  if (!proc) return Promise.resolve();
  let exited = false;
  void proc.exited.then(() => (exited = true));
  // Deadline timers must not outlive the kill: an idle agent (tinylet run) would wait for them.
  const timers = new AbortController();
  // Monotonic milliseconds: the end of the grace period, and (once the stop signal is sent) the SIGKILL.
  const begun = performance.now();
  let graceEnds = begun + opts.gracePeriodSeconds * 1000;
  let signalledAt: number | undefined;
  let killAt = Infinity;
  let rearm = new AbortController();
  /** Waits until the time `at()` answers, again whenever a shorter grace moves it. */
  const waitUntil = async (at: () => number): Promise<void> => {
    while (!timers.signal.aborted && at() > performance.now()) {
      await sleep(at() - performance.now(), AbortSignal.any([timers.signal, rearm.signal]));
    }
  };
  r.shortenKill = (graceSeconds) => {
    const ends = performance.now() + graceSeconds * 1000;
    if (ends >= graceEnds) return;
    graceEnds = ends;
    if (signalledAt !== undefined) {
      killAt = Math.min(killAt, Math.max(ends, signalledAt + MINIMUM_GRACE_SECONDS * 1000));
      if (!proc.stopControl?.moveKill(killAt) && r.lastStop) r.lastStop.deadline = killAt;
    }
    const moved = rearm;
    rearm = new AbortController();
    moved.abort();
  };
  r.killing = (async () => {
    ctx.record('Normal', 'Killing', opts.message, r);
    let remaining = opts.gracePeriodSeconds;
    const lifecycle = r.spec.lifecycle;
    if (lifecycle?.preStop && opts.gracePeriodSeconds > 0 && !opts.skipPreStop) {
      const abandon = new AbortController();
      const hookCtx: HookContext = { target: ctx.target(proc), signal: abandon.signal, hook: 'preStop' };
      ctx.record('Normal', 'PreStopHook', `Running preStop hook of container ${r.name} (grace period ${opts.gracePeriodSeconds}s)`, r);
      const hook = runLifecycleHandler(lifecycle.preStop, hookCtx).then((res) => ({ res }));
      const outcome = await Promise.race([hook, waitUntil(() => graceEnds).then(() => undefined)]);
      abandon.abort();
      if (!outcome) {
        ctx.record('Warning', 'FailedPreStopHook', `PreStopHook of container ${r.name} did not finish within the grace period of ${opts.gracePeriodSeconds}s`, r);
      } else if (!outcome.res.ok && !exited) {
        ctx.record('Warning', 'FailedPreStopHook', outcome.res.message, r);
      }
      remaining -= Math.floor((performance.now() - begun) / 1000);
    }
    // A grace shortened while the hook ran counts from when it was shortened.
    remaining = Math.min(remaining, Math.ceil((graceEnds - performance.now()) / 1000));
    const extended = remaining < MINIMUM_GRACE_SECONDS;
    if (extended) remaining = MINIMUM_GRACE_SECONDS;
    if (!exited) {
      const sig = stopSignalOf(r, ctx.imageStopSignal);
      try {
        ctx.beforeStopSignal?.(proc.pid);
      } catch {
        /* an observer must never stop the kill */
      }
      signalledAt = performance.now();
      killAt = signalledAt + remaining * 1000;
      // The launcher sends the stop signal now and SIGKILL at killAt on its own clock; the agent's
      // timer below is only the backstop then.
      const signum = signalNumber(sig);
      const control = signum !== undefined && proc.stopControl?.stop(signum, killAt) === true ? proc.stopControl : undefined;
      if (!control) sendSignal(proc.pid, sig);
      r.lastStop = control?.timing ?? { deadline: killAt };
      ctx.record('Normal', 'Signal', `Sent ${sig} to container ${r.name} (pid ${proc.pid}); SIGKILL in ${remaining}s`, r);
      ctx.target(proc).timeline?.deadline(remaining, extended);
      const backstop = control ? BACKSTOP_MS : 0;
      await Promise.race([proc.exited, waitUntil(() => killAt + backstop), ...(control ? [control.killed] : [])]);
      // The launcher reports its SIGKILL before sending it, so before the exit it causes.
      let killedAt = control?.killedAt;
      if (!killedAt && !exited && performance.now() >= killAt + backstop) {
        sendSignal(proc.pid, 'SIGKILL');
        killedAt = new Date();
        r.lastStop.killSent = performance.now();
      }
      if (killedAt) {
        const waited = Math.round((killedAt.getTime() - (Date.now() - (performance.now() - signalledAt))) / 1000);
        ctx.record('Warning', 'ExceededGracePeriod', `Container ${r.name} did not exit within ${waited}s of ${sig}; sent SIGKILL (pid ${proc.pid})`, r, killedAt);
      }
    }
    await proc.exited;
  })().finally(() => {
    timers.abort();
    r.killing = undefined;
    r.shortenKill = undefined;
  });
  return r.killing;
}

function sendSignal(pid: number, name: string): void {
  try {
    process.kill(pid, signalNumber(name) ?? name);
  } catch {
    /* already gone */
  }
}


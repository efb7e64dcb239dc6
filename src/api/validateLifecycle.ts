// postStart/preStop hooks and the stop signal. tcpSocket is still accepted by the API server
// for backward compatibility but every kubelet fails such a hook when it runs; we keep that
// behaviour and only warn, so a manifest that "works" on a cluster is not refused here.
import type { Lifecycle, LifecycleHandler, LifecycleWithStopSignal } from './types.js';
import { type Findings, child, formatValue, invalid } from './fieldErrors.js';
import { checkOneHandler, validateExecAction, validateHTTPGetAction, validateTCPSocketAction } from './validateProbe.js';

const HOOK_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

/** The Linux signal names the API server accepts for `lifecycle.stopSignal`. */
export const LINUX_STOP_SIGNALS: readonly string[] = [
  'SIGABRT', 'SIGALRM', 'SIGBUS', 'SIGCHLD', 'SIGCLD', 'SIGCONT', 'SIGFPE', 'SIGHUP', 'SIGILL', 'SIGINT', 'SIGIO',
  'SIGIOT', 'SIGKILL', 'SIGPIPE', 'SIGPOLL', 'SIGPROF', 'SIGPWR', 'SIGQUIT', 'SIGSEGV', 'SIGSTKFLT', 'SIGSTOP',
  'SIGSYS', 'SIGTERM', 'SIGTRAP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGUSR1', 'SIGUSR2', 'SIGVTALRM',
  'SIGWINCH', 'SIGXCPU', 'SIGXFSZ', 'SIGRTMIN',
  ...Array.from({ length: 15 }, (_, i) => `SIGRTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `SIGRTMAX-${14 - i}`),
  'SIGRTMAX',
];

function validateHook(h: LifecycleHandler, path: string, grace: number | undefined, portNames: ReadonlySet<string>, out: Findings): void {
  const { name, errors } = checkOneHandler(h as Record<string, unknown>, HOOK_HANDLERS, path);
  out.errors.push(...errors);
  if (!name) return;
  const p = child(path, name);
  if (name === 'exec') out.errors.push(...validateExecAction(h.exec!, p));
  if (name === 'httpGet') out.errors.push(...validateHTTPGetAction(h.httpGet!, p, portNames));
  if (name === 'tcpSocket') {
    out.errors.push(...validateTCPSocketAction(h.tcpSocket!, p, portNames));
    out.warnings.push({ path: p, kind: 'invalid', message: 'deprecated: tcpSocket is not supported as a lifecycle handler, the hook fails when it runs' });
  }
  if (name === 'sleep') {
    const seconds = h.sleep!.seconds;
    // A grace period that is itself invalid is reported on its own field; don't pile on.
    if (grace !== undefined && grace >= 0 && (seconds < 0 || seconds > grace)) {
      out.errors.push(invalid(child(p, 'seconds'), seconds, `must be non-negative and less than terminationGracePeriodSeconds (${grace})`));
    }
  }
}

export function validateLifecycle(lc: Lifecycle & LifecycleWithStopSignal, path: string, grace: number | undefined, portNames: ReadonlySet<string>, out: Findings): void {
  if (lc.postStart) validateHook(lc.postStart, child(path, 'postStart'), grace, portNames, out);
  if (lc.preStop) validateHook(lc.preStop, child(path, 'preStop'), grace, portNames, out);
  if (lc.stopSignal !== undefined && !LINUX_STOP_SIGNALS.includes(lc.stopSignal)) {
    // The full list has 65 names; the common ones are enough to show what is expected.
    const message = `Unsupported value: ${formatValue(lc.stopSignal)}: must be a Linux signal name such as "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2" or "SIGWINCH"`;
    out.errors.push({ path: child(path, 'stopSignal'), kind: 'unsupported', message });
  }
}

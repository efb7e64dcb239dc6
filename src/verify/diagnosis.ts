// Why a container did not stop in time, read from the stop-time snapshot (snapshot.ts) and the
// pod's events: the shell-form wrapper, `npm start`, no handler as PID 1, an ignored or blocked
// signal, a handler that did not finish, a preStop hook that ate the grace period. Each comes with
// the usual fix.
import { basename } from 'node:path';
import type { Event } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';
import type { ProcessSnapshot, StopSnapshot } from './snapshot.js';

export type DiagnosisCode = 'ShellWrapper' | 'NpmStart' | 'IgnoresSignal' | 'BlocksSignal' | 'NoHandler' | 'CaughtButRunning' | 'PreStopBudget';

export interface Diagnosis {
  code: DiagnosisCode;
  message: string;
  fix: string;
}

export interface ContainerStopFacts {
  name: string;
  killedBySigkill: boolean;
  /** The stop signal's name (SIGTERM unless STOPSIGNAL / lifecycle.stopSignal says otherwise). */
  signalName: string;
  gracePeriodSeconds: number;
  /** The container's process is not PID 1 of its namespace (shareProcessNamespace: pause is). */
  sharedPidNamespace: boolean;
  snapshot?: StopSnapshot;
  /** This container's events from the delete on. */
  events: Event[];
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox']);
const at = (e: Event) => eventTime(e).getTime();

/** `sh -c node server.js`: an argv as a person reads it, cut to a readable length. */
export function showArgv(argv: string[]): string {
  const text = argv.join(' ').replace(/\s+$/, '');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isShellWrapper(p: ProcessSnapshot): boolean {
  return SHELLS.has(basename(p.argv[0] ?? '')) && p.argv.includes('-c');
}

function isNpm(p: ProcessSnapshot): boolean {
  const [a0 = '', a1 = ''] = p.argv;
  // npm sets its process title ("npm start" padded with spaces, over argv's memory).
  return /^npm(:|\s|$)/.test(basename(a0)) || (basename(a0) === 'node' && /(^|\/)npm(-cli\.js)?$/.test(a1));
}

/** The app process under a wrapper: the first descendant that is not itself a shell or npm. */
function appUnder(processes: ProcessSnapshot[]): ProcessSnapshot | undefined {
  return processes.slice(1).find((p) => !isShellWrapper(p) && !isNpm(p)) ?? processes[1];
}

function describeConnections(s: StopSnapshot): string {
  const listening = [...new Set(s.tcp.filter((t) => t.state === 'LISTEN').map((t) => t.local))];
  const open = s.tcp.filter((t) => t.state === 'ESTABLISHED');
  const parts = [`${open.length} established TCP connection${open.length === 1 ? '' : 's'}`];
  if (open.length) parts[0] += ` (${open.slice(0, 3).map((t) => `${t.remote} -> ${t.local}`).join(', ')}${open.length > 3 ? ', ...' : ''})`;
  if (listening.length) parts.push(`listening on ${listening.slice(0, 4).join(', ')}`);
  return parts.join(', ');
}

/** How long the preStop hook ran before the stop signal (or until the grace ran out). */
export function preStopMs(events: Event[]): number | undefined {
  const hook = events.find((e) => e.reason === 'PreStopHook');
  if (!hook) return undefined;
  const end = events.find((e) => e.reason === 'Signal') ?? events.find((e) => e.reason === 'FailedPreStopHook');
  return end ? at(end) - at(hook) : undefined;
}

export function diagnose(c: ContainerStopFacts): Diagnosis[] {
  if (!c.killedBySigkill) return [];
  const out: Diagnosis[] = [];
  const sig = c.signalName;
  const hookMs = preStopMs(c.events);
  const graceMs = c.gracePeriodSeconds * 1000;
  const hookTimedOut = c.events.some((e) => e.reason === 'FailedPreStopHook' && /did not finish within/.test(e.message ?? ''));
  if (hookMs !== undefined && (hookTimedOut || hookMs >= graceMs / 2)) {
    out.push({
      code: 'PreStopBudget',
      message: `preStop took ${(hookMs / 1000).toFixed(1)} s of a ${c.gracePeriodSeconds} s grace period${hookTimedOut ? ' (it did not finish)' : ''}, leaving the app the ${sig} minimum`,
      fix: 'shorten the preStop hook, or raise terminationGracePeriodSeconds above preStop plus the time the app needs to drain',
    });
  }
  const main = c.snapshot?.processes[0];
  if (!main) return out;
  const who = `${c.sharedPidNamespace ? 'the container\'s process' : 'PID 1'} (\`${showArgv(main.argv)}\`)`;
  if (main.ignores) {
    out.push({ code: 'IgnoresSignal', message: `${who} ignores ${sig} (SigIgn): the kernel discards the signal`, fix: `stop ignoring it (\`trap '' TERM\`, signal(${sig}, SIG_IGN)); handle it and exit instead` });
  } else if (main.blocks && !main.catches) {
    out.push({ code: 'BlocksSignal', message: `${who} blocks ${sig} (SigBlk) and has no handler: the signal stays pending`, fix: `unblock ${sig} once the app is up, and handle it` });
  } else if (isNpm(main)) {
    const app = appUnder(c.snapshot!.processes);
    const appName = app ? `\`${basename(app.argv[0] ?? '')}\` (pid ${app.pid})` : 'its script';
    // npm 7+ catches SIGTERM and passes it to the script's process; older npm (and npx) do not.
    const what = !main.catches
      ? `does not forward ${sig} to ${appName}: npm is PID 1 and the app never received the signal`
      : `passed ${sig} on to ${appName}, which ${app?.ignores ? 'ignores it (SigIgn)' : app?.catches ? 'caught it but was still running at the deadline' : 'did not stop'}`;
    out.push({
      code: 'NpmStart',
      message: `\`${showArgv(main.argv)}\` is PID 1 and ${what}`,
      fix: 'run the app directly (CMD ["node", "server.js"]) so it is PID 1 and gets the signal itself, or `exec` in the start script; then make its SIGTERM handler finish in-flight work and exit',
    });
  } else if (!main.catches && isShellWrapper(main)) {
    const app = appUnder(c.snapshot!.processes);
    const child = app ? ` and its child \`${basename(app.argv[0] ?? '')}\` (pid ${app.pid}) never received the signal` : '';
    out.push({
      code: 'ShellWrapper',
      message: `${who} has no ${sig} handler${child}: a shell-form command (\`sh -c ...\`) does not pass signals on`,
      fix: 'use the exec form (CMD ["app", "arg"]), start the shell string with `exec`, or run an init such as tini/dumb-init',
    });
  } else if (!main.catches) {
    out.push({
      code: 'NoHandler',
      message: `${who} has no ${sig} handler (not in SigCgt)${c.sharedPidNamespace ? '' : ', and PID 1 of a PID namespace gets no default action: the signal did nothing'}`,
      fix: `install a ${sig} handler that exits, run an init such as tini/dumb-init, or set shareProcessNamespace: true so the pause process is PID 1`,
    });
  } else {
    out.push({
      code: 'CaughtButRunning',
      message: `the app caught ${sig} but was still running at the deadline; at the signal it had ${describeConnections(c.snapshot!)}`,
      fix: 'make the handler close the listener, finish in-flight requests and exit, or raise terminationGracePeriodSeconds if draining takes longer',
    });
  }
  return out;
}

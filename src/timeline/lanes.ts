import type { TimelineEntry, TimelineRecord } from './record.js';

/** A stretch of time on a lane: the container running, a hook, a restart back-off wait. */
export interface Interval {
  kind: 'running' | 'preStop' | 'backoff' | 'ready';
  from: number;
  to: number;
  /** Still going when the record ends (drawn to the axis end). */
  open: boolean;
}

/** A point on a lane: a signal, an exit, SIGKILL, a probe failure, a deadline. */
export interface Mark {
  kind: 'signal' | 'exit' | 'sigkill' | 'probe' | 'hookFailed' | 'deadline' | 'delete';
  t: number;
  label: string;
  warning: boolean;
}

export interface Lane {
  /** A container name, or "pod" for the pod's own events (delete, grace deadline). */
  name: string;
  intervals: Interval[];
  marks: Mark[];
}

const num = (re: RegExp, text: string): number | undefined => {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
};

/** The exit's short label: `exit 0`, `SIGKILL (137)`, `OOMKilled (137)`. */
function exitLabel(message: string): string {
  const code = num(/exit code (\d+)/, message) ?? num(/with code (\d+)/, message);
  const signal = /killed by (SIG[A-Z0-9]+)/.exec(message)?.[1];
  if (/OOM-killed/.test(message)) return `OOMKilled (${code ?? '?'})`;
  return signal ? `${signal} (${code ?? '?'})` : `exit ${code ?? '?'}`;
}

function containerLane(name: string, entries: TimelineEntry[], end: number): Lane {
  const intervals: Interval[] = [];
  const marks: Mark[] = [];
  const open = new Map<Interval['kind'], number>();
  const close = (kind: Interval['kind'], t: number) => {
    const from = open.get(kind);
    if (from === undefined) return;
    intervals.push({ kind, from, to: t, open: false });
    open.delete(kind);
  };
  for (const e of entries) {
    const warning = e.type === 'Warning';
    switch (e.reason) {
      case 'Started':
        close('backoff', e.t);
        if (!open.has('running')) open.set('running', e.t);
        break;
      case 'Ready':
        if (!open.has('ready')) open.set('ready', e.t);
        break;
      case 'NotReady':
        close('ready', e.t);
        break;
      case 'Exited':
        close('running', e.t);
        close('ready', e.t);
        close('preStop', e.t);
        marks.push({ kind: 'exit', t: e.t, label: exitLabel(e.message), warning });
        break;
      case 'PreStopHook':
        open.set('preStop', e.t);
        break;
      case 'FailedPreStopHook':
        close('preStop', e.t);
        marks.push({ kind: 'hookFailed', t: e.t, label: 'preStop failed', warning: true });
        break;
      case 'FailedPostStartHook':
        marks.push({ kind: 'hookFailed', t: e.t, label: 'postStart failed', warning: true });
        break;
      case 'Signal': {
        close('preStop', e.t);
        const sig = /Sent (SIG[A-Z0-9]+|\d+)/.exec(e.message)?.[1] ?? 'signal';
        marks.push({ kind: 'signal', t: e.t, label: sig, warning });
        // The kill deadline this signal set: the grace left, at least the 2-second minimum (SEMANTICS §5).
        const inSeconds = num(/SIGKILL in (\d+)s/, e.message);
        if (inSeconds !== undefined) marks.push({ kind: 'deadline', t: e.t + inSeconds * 1000, label: `SIGKILL due (+${inSeconds}s)`, warning: false });
        break;
      }
      case 'ExceededGracePeriod':
        marks.push({ kind: 'sigkill', t: e.t, label: 'SIGKILL', warning: true });
        break;
      case 'Unhealthy': {
        const probe = /^(\w+) probe/.exec(e.message)?.[1] ?? 'probe';
        marks.push({ kind: 'probe', t: e.t, label: `${probe} failed`, warning: true });
        break;
      }
      case 'BackOff':
        if (/restarting/.test(e.message) && !open.has('backoff')) open.set('backoff', e.t);
        break;
    }
  }
  for (const [kind, from] of open) intervals.push({ kind, from, to: Math.max(from, end), open: true });
  intervals.sort((a, b) => a.from - b.from || a.kind.localeCompare(b.kind));
  return { name, intervals, marks };
}

function podLane(entries: TimelineEntry[]): Lane {
  const marks: Mark[] = [];
  for (const e of entries) {
    if (e.reason !== 'DeleteRequested') continue;
    marks.push({ kind: 'delete', t: e.t, label: 'delete', warning: false });
    const grace = num(/grace period of (\d+)s/, e.message);
    if (grace !== undefined) marks.push({ kind: 'deadline', t: e.t + grace * 1000, label: `grace ends (${grace}s)`, warning: false });
  }
  return { name: 'pod', intervals: [], marks };
}

/** The lanes to draw: the pod's own, then one per container in spec order. */
export function lanesOf(record: TimelineRecord): Lane[] {
  const lanes = [podLane(record.entries.filter((e) => !e.container))];
  for (const name of record.containers) lanes.push(containerLane(name, record.entries.filter((e) => e.container === name), record.end));
  return lanes;
}

/** The axis end: the record's end, or the latest mark (a deadline may lie after the pod is gone). */
export function axisEnd(record: TimelineRecord, lanes: Lane[]): number {
  let end = record.end;
  for (const l of lanes) for (const m of l.marks) end = Math.max(end, m.t);
  return Math.max(end, 1);
}

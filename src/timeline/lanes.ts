import type { EndpointState, ProbeTick, TimelineEntry, TimelineRecord } from './record.js';
import { byCodeUnit } from '../api/stringOrder.js';

/** A stretch of time on a lane: the container running, a hook, a restart back-off wait. */
export interface Interval {
  kind: 'running' | 'postStart' | 'preStop' | 'backoff' | 'ready';
  from: number;
  to: number;
  /** Still going when the record ends (drawn to the axis end). */
  open: boolean;
  /** A hook that ended in failure (kubelet-side records know how each hook ended). */
  failed?: boolean;
}

/** One probe's ticks on a container lane (kubelet-side records): success and failure, sampled. */
export interface ProbeRow {
  kind: ProbeTick['kind'];
  ticks: { t: number; ok: boolean; run: number; durationMs: number }[];
}

/** ready; terminating but still serving (the pod's readiness holds); terminating and not serving; not ready. */
export type BandState = 'ready' | 'terminatingServing' | 'terminating' | 'notReady';

/** The pod's endpoint in one Service's EndpointSlices over time: a band under the pod's lanes. */
export interface EndpointBand {
  service: string;
  segments: { from: number; to: number; state: BandState; open: boolean }[];
  /** When the endpoint left the slices. */
  removals: number[];
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
  /** Probe rows in a fixed order (startup, liveness, readiness); empty for event-only records. */
  probes: ProbeRow[];
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
  const close = (kind: Interval['kind'], t: number, failed?: boolean) => {
    const from = open.get(kind);
    if (from === undefined) return;
    intervals.push({ kind, from, to: t, open: false, ...(failed ? { failed } : {}) });
    open.delete(kind);
  };
  // A kubelet-side record says when each hook started and ended, and the exact kill deadline:
  // those replace what the events imply (preStop until the signal, the deadline from its message).
  const hooksKnown = entries.some((e) => e.hook?.name === 'postStart' || e.hook?.name === 'preStop');
  const deadlinesKnown = entries.some((e) => Number.isFinite(e.deadline?.inSeconds));
  const probes = new Map<ProbeTick['kind'], ProbeRow>();
  for (const e of entries) {
    const warning = e.type === 'Warning';
    // A record may come from an agent over the wire: only the shapes drawn here are drawn.
    if (e.hook && (e.hook.name === 'postStart' || e.hook.name === 'preStop')) {
      if (e.hook.phase === 'start') open.set(e.hook.name, e.t);
      else close(e.hook.name, e.t, e.hook.ok === false);
      continue;
    }
    if (e.probe && PROBE_ORDER.includes(e.probe.kind)) {
      const row = probes.get(e.probe.kind) ?? { kind: e.probe.kind, ticks: [] };
      probes.set(e.probe.kind, row);
      row.ticks.push({ t: e.t, ok: e.probe.result === 'success', run: Number(e.probe.run) || 1, durationMs: Number(e.probe.durationMs) || 0 });
      continue;
    }
    if (e.deadline && Number.isFinite(e.deadline.inSeconds)) {
      const d = e.deadline;
      marks.push({ kind: 'deadline', t: e.t + d.inSeconds * 1000, label: `SIGKILL due (+${d.inSeconds}s${d.extended ? ', 2s minimum' : ''})`, warning: false });
      continue;
    }
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
        close('postStart', e.t);
        marks.push({ kind: 'exit', t: e.t, label: exitLabel(e.message), warning });
        break;
      case 'PreStopHook':
        if (!hooksKnown) open.set('preStop', e.t);
        break;
      case 'FailedPreStopHook':
        close('preStop', e.t);
        marks.push({ kind: 'hookFailed', t: e.t, label: 'preStop failed', warning: true });
        break;
      case 'FailedPostStartHook':
        marks.push({ kind: 'hookFailed', t: e.t, label: 'postStart failed', warning: true });
        break;
      case 'Signal': {
        if (!hooksKnown) close('preStop', e.t);
        const sig = /Sent (SIG[A-Z0-9]+|\d+)/.exec(e.message)?.[1] ?? 'signal';
        marks.push({ kind: 'signal', t: e.t, label: sig, warning });
        // The kill deadline this signal set: the grace left, at least the 2-second minimum (SEMANTICS §5).
        const inSeconds = num(/SIGKILL in (\d+)s/, e.message);
        if (inSeconds !== undefined && !deadlinesKnown) marks.push({ kind: 'deadline', t: e.t + inSeconds * 1000, label: `SIGKILL due (+${inSeconds}s)`, warning: false });
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
  intervals.sort((a, b) => a.from - b.from || byCodeUnit(a.kind, b.kind));
  const rows = PROBE_ORDER.map((k) => probes.get(k)).filter((r): r is ProbeRow => r !== undefined);
  return { name, intervals, marks, probes: rows };
}

const PROBE_ORDER: ProbeTick['kind'][] = ['startup', 'liveness', 'readiness'];

function bandState(s: EndpointState): BandState {
  if (s.ready) return 'ready';
  if (s.terminating) return s.serving ? 'terminatingServing' : 'terminating';
  return 'notReady';
}

/** One band per Service the pod was an endpoint of, from the record's EndpointChanged entries. */
export function endpointBandsOf(record: TimelineRecord): EndpointBand[] {
  const bands = new Map<string, EndpointBand & { since?: { t: number; state: BandState } }>();
  for (const s of record.services ?? []) bands.set(s, { service: s, segments: [], removals: [] });
  for (const e of record.entries) {
    if (!e.endpoint || typeof e.endpoint.service !== 'string') continue;
    const b = bands.get(e.endpoint.service) ?? { service: e.endpoint.service, segments: [], removals: [] };
    bands.set(b.service, b);
    if (b.since) b.segments.push({ from: b.since.t, to: e.t, state: b.since.state, open: false });
    b.since = e.endpoint.state ? { t: e.t, state: bandState(e.endpoint.state) } : undefined;
    if (!e.endpoint.state) b.removals.push(e.t);
  }
  return [...bands.values()].map(({ since, ...b }) => (since ? { ...b, segments: [...b.segments, { from: since.t, to: Math.max(since.t, record.end), state: since.state, open: true }] } : b));
}

function podLane(entries: TimelineEntry[]): Lane {
  const marks: Mark[] = [];
  for (const e of entries) {
    if (e.reason !== 'DeleteRequested') continue;
    marks.push({ kind: 'delete', t: e.t, label: 'delete', warning: false });
    const grace = num(/grace period of (\d+)s/, e.message);
    if (grace !== undefined) marks.push({ kind: 'deadline', t: e.t + grace * 1000, label: `grace ends (${grace}s)`, warning: false });
  }
  return { name: 'pod', intervals: [], marks, probes: [] };
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
  for (const l of lanes) for (const iv of l.intervals) end = Math.max(end, iv.to);
  return Math.max(end, 1);
}

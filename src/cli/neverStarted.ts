// Why an app container never started before the pod was deleted, from the final pod and its
// events: the waiting reason and message of the container that held it back, as kubectl's STATUS
// column and `describe` would show them (`Init:CrashLoopBackOff`, `ImagePullBackOff`...). Only a
// container that was still being created, and not for long, is worth a longer --for: an image that
// cannot be pulled, an init container that crashes or waits for a Service that does not exist, a
// securityContext the image cannot meet, none of them get better with time.
import type { ContainerStatus, Event, Pod } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';
import { formatGoDuration } from '../kubelet/duration.js';

/** Below this, ContainerCreating is a start in progress (the first use of an image takes seconds); above, something is stuck. */
export const SHORT_START_MS = 10_000;

export interface NeverStarted {
  /** The clause for the verdict line. */
  why: string;
  /** Waiting a little longer could have been enough. */
  longerFor: boolean;
}

// An aggregated event is announced once per occurrence, each time with that occurrence's time in
// series.lastObservedTime (eventTime stays the first one's): eventTime() reads the right one.
const at = (e: Event) => eventTime(e).getTime();
const containerOf = (e: Event) => /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];

/** 3.8s, 45s, 2m5s: a duration as precise as a person needs. */
export function roughDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  return formatGoDuration(Math.round(ms / 1000) * 1000);
}

/** The recorder's prefix on a message once similar events are combined (see kubelet/eventCorrelator.ts). */
const COMBINED = /^\(combined from similar events\): /;

/** The last Failed event's text for a container: the pull error, or the error that kept it from being created. */
function lastFailure(events: Event[], name: string, deleteAt: number): string | undefined {
  const failed = events.filter((e) => containerOf(e) === name && e.reason === 'Failed' && at(e) < deleteAt && !/^Error: (ErrImagePull|ImagePullBackOff|InvalidImageName)$/.test((e.message ?? '').replace(COMBINED, '')));
  return failed[failed.length - 1]?.message?.replace(COMBINED, '').replace(/^Error: /, '');
}

/** Whether the container's last instance had started, and not exited, when the delete came. */
function runningAt(events: Event[], name: string, deleteAt: number): Event | undefined {
  const marks = events.filter((e) => containerOf(e) === name && at(e) < deleteAt && (e.reason === 'Started' || e.reason === 'Exited'));
  const last = marks[marks.length - 1];
  return last?.reason === 'Started' ? last : undefined;
}

/** The waiting reason (`ImagePullBackOff`) and the message that explains it (`Failed to pull image "x": ...`). */
function waitingReason(s: ContainerStatus, events: Event[], deleteAt: number): { reason: string; detail?: string } | undefined {
  const w = s.state?.waiting;
  if (!w?.reason || w.reason === 'ContainerCreating' || w.reason === 'PodInitializing') {
    const t = s.state?.terminated;
    // A start error leaves the container terminated without ever having run; an init container
    // of a pod that does not restart it stays terminated after its failure.
    if (t?.reason === 'StartError') return { reason: 'StartError', detail: t.message ?? `exit code ${t.exitCode}` };
    if (t && t.exitCode !== 0) return { reason: t.reason ?? 'Error', detail: `exited with code ${t.exitCode}` };
    return undefined;
  }
  const last = s.lastState?.terminated;
  if (w.reason === 'CrashLoopBackOff' && last) return { reason: w.reason, detail: `kept failing, last exit code ${last.exitCode}` };
  // ImagePullBackOff's own message only says "Back-off pulling image", CrashLoopBackOff's only the
  // delay: the error that caused them is in the Failed events.
  const fromEvents = w.reason === 'ErrImagePull' || w.reason === 'ImagePullBackOff' || w.reason === 'CrashLoopBackOff';
  return { reason: w.reason, detail: fromEvents ? (lastFailure(events, s.name, deleteAt) ?? w.message) : (w.message ?? lastFailure(events, s.name, deleteAt)) };
}

/** `Init:ErrImagePull: init container setup: <message>`; the app container's own reason needs no name (the verdict line starts with it). */
const clause = (r: { reason: string; detail?: string }, who: string, named: boolean) => {
  if (/^(kept failing|exited with)/.test(r.detail ?? '')) return `${r.reason}: ${who} ${r.detail}`;
  const name = named ? `${who}: ` : '';
  return r.detail ? `${r.reason}: ${name}${r.detail}` : `${r.reason}${named ? `: ${who}` : ''}`;
};

/** Why app container `name` never started (see the module comment). */
export function whyNeverStarted(pod: Pod, events: Event[], name: string, deleteAt: number): NeverStarted {
  // Init containers run one by one: the first that did not complete held everything back. A
  // sidecar (restartPolicy: Always) does not complete: once it runs, the next one starts.
  const sidecar = (n: string) => pod.spec?.initContainers?.find((c) => c.name === n)?.restartPolicy === 'Always';
  const init = (pod.status?.initContainerStatuses ?? []).find((s) => {
    const running = runningAt(events, s.name, deleteAt) !== undefined;
    if (sidecar(s.name)) return !running;
    return running || s.state?.terminated?.exitCode !== 0;
  });
  if (init) {
    const started = runningAt(events, init.name, deleteAt);
    if (started) return { why: `init container ${init.name} was still running after ${roughDuration(deleteAt - at(started))}: it never completed`, longerFor: false };
    const reason = waitingReason(init, events, deleteAt);
    if (reason) return { why: `Init:${clause(reason, `init container ${init.name}`, true)}`, longerFor: false };
  }
  const own = (pod.status?.containerStatuses ?? []).find((s) => s.name === name);
  const reason = !init && own ? waitingReason(own, events, deleteAt) : undefined;
  if (reason) return { why: clause(reason, name, false), longerFor: false };
  // Still being created. A warning about the pod itself (its sandbox, a volume) is the reason; else
  // how long since the pod was scheduled tells a slow start from a stuck one.
  const waiting = (init ?? own)?.state?.waiting?.reason ?? 'ContainerCreating';
  const since = events.length ? deleteAt - Math.min(...events.map(at)) : 0;
  const podWarnings = events.filter((e) => e.type === 'Warning' && !e.involvedObject.fieldPath && at(e) < deleteAt);
  const warning = podWarnings[podWarnings.length - 1];
  if (warning) return { why: `it was still in ${waiting} after ${roughDuration(since)}: ${warning.reason}: ${(warning.message ?? '').replace(COMBINED, '')}`, longerFor: false };
  return { why: `it was still in ${waiting} after ${roughDuration(since)}`, longerFor: since < SHORT_START_MS };
}

// A fixed kubelet-side record (what GET .../pods/{name}/timeline serves) for the renderer tests:
// a web pod with a postStart hook, exec liveness and http readiness ticks, a preStop hook, the
// 2-second-minimum deadline, and its endpoint in Service `web` going ready -> terminating -> removed.
import type { TimelineEntry, TimelineRecord } from '../src/timeline/record.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const e = (t: number, reason: string, message: string, extra: Partial<TimelineEntry> = {}, container: string | null = 'app'): TimelineEntry => ({
  t,
  type: extra.type ?? 'Normal',
  reason,
  ...(container ? { container } : {}),
  message,
  ...extra,
});
const tick = (t: number, kind: 'liveness' | 'readiness', ok: boolean, run: number): TimelineEntry =>
  e(t, 'ProbeResult', `${kind} probe ${ok ? 'succeeded' : 'failed'}`, { type: ok ? 'Normal' : 'Warning', probe: { kind, result: ok ? 'success' : 'failure', durationMs: 3, run } });
const ep = (t: number, state: { ready: boolean; serving: boolean; terminating: boolean } | null): TimelineEntry =>
  e(t, 'EndpointChanged', `endpoint ${state ? JSON.stringify(state) : 'removed'}`, { endpoint: { service: 'web', state } }, null);

export const kubeletRecord: TimelineRecord = {
  pod: { namespace: 'default', name: 'web', uid: 'u1' },
  origin: T0,
  containers: ['app'],
  source: 'kubelet',
  services: ['web'],
  dropped: 0,
  end: 5200,
  entries: [
    e(0, 'Scheduled', 'Successfully assigned default/web', {}, null),
    e(100, 'Started', 'Started container app'),
    e(100, 'HookStarted', 'postStart hook of container app started', { hook: { name: 'postStart', phase: 'start' } }),
    e(600, 'HookFinished', 'postStart hook of container app finished', { hook: { name: 'postStart', phase: 'end', ok: true } }),
    tick(1000, 'readiness', false, 1),
    tick(1000, 'liveness', true, 1),
    tick(2000, 'readiness', true, 1),
    e(2000, 'Ready', 'Container app is ready'),
    tick(2000, 'liveness', true, 2),
    ep(2010, { ready: true, serving: true, terminating: false }),
    tick(3000, 'readiness', true, 2),
    tick(3000, 'liveness', true, 3),
    e(3200, 'DeleteRequested', 'Deleting pod with a grace period of 2s', {}, null),
    e(3200, 'Killing', 'Stopping container app'),
    e(3200, 'PreStopHook', 'Running preStop hook of container app (grace period 2s)'),
    e(3200, 'HookStarted', 'preStop hook of container app started', { hook: { name: 'preStop', phase: 'start' } }),
    ep(3210, { ready: false, serving: true, terminating: true }),
    e(4000, 'HookFinished', 'preStop hook of container app finished', { hook: { name: 'preStop', phase: 'end', ok: true } }),
    e(4000, 'Signal', 'Sent SIGTERM to container app (pid 42); SIGKILL in 2s'),
    e(4000, 'KillDeadline', 'SIGKILL of container app due in 2s (raised to the 2-second minimum)', { deadline: { inSeconds: 2, extended: true } }),
    e(4100, 'NotReady', 'Container app is not ready'),
    e(4500, 'Exited', 'Container app (pid 42) exited with code 0'),
    ep(4600, null),
  ],
};

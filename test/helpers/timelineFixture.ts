import type { Event, Pod } from '../../src/api/types.js';
import { recordFromEvents } from '../../src/timeline/record.js';

/** A fixed pod record for the renderer tests: deterministic times from T0. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'busybox' }, { name: 'side<car>', image: 'busybox' }] },
};

export function ev(ms: number, reason: string, message: string, container?: string, type: 'Normal' | 'Warning' = 'Normal', uid = 'u1'): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `web.${ms}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web', uid, ...(container ? { fieldPath: `spec.containers{${container}}` } : {}) },
    type,
    reason,
    message,
    eventTime: new Date(T0 + ms).toISOString().replace('Z', '000Z'),
  } as Event;
}

/** A pod whose app runs, fails a probe, gets a preStop hook, SIGTERM, ignores it and is SIGKILLed. */
export const events: Event[] = [
  ev(0, 'Scheduled', 'Successfully assigned default/web'),
  ev(120, 'Started', 'Started container app', 'app'),
  ev(130, 'Started', 'Started container side<car>', 'side<car>'),
  ev(900, 'Unhealthy', 'Readiness probe failed: boom', 'app', 'Warning'),
  ev(1000, 'DeleteRequested', 'Pod deletion requested with a grace period of 3s'),
  ev(1002, 'Killing', 'Stopping container app', 'app'),
  ev(1003, 'PreStopHook', 'Running preStop hook of container app (grace period 3s)', 'app'),
  ev(2003, 'Signal', 'Sent SIGTERM to container app (pid 42); SIGKILL in 2s', 'app'),
  ev(1010, 'Signal', 'Sent SIGTERM to container side<car> (pid 43); SIGKILL in 3s', 'side<car>'),
  ev(1030, 'Exited', 'Container side<car> (pid 43) exited with code 0', 'side<car>'),
  ev(4003, 'ExceededGracePeriod', 'Container app did not exit within 2s of SIGTERM; sent SIGKILL (pid 42)', 'app', 'Warning'),
  ev(4010, 'Exited', 'Container app (pid 42) killed by SIGKILL (exit code 137)', 'app', 'Warning'),
  ev(50, 'Started', 'another pod with the same name', 'app', 'Normal', 'other-uid'),
];
export const record = recordFromEvents(pod, events, T0 + 4100);


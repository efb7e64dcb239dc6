// A final pod and its events, shaped as `tinylet run -o json` reports them (the statuses and event
// texts are those of real runs), for the verdict's unit tests: the verdict is a pure function of them.
import type { ContainerStatus, Event, Pod } from '../../src/api/types.js';
import { microTime } from '../../src/api/time.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const UID = '11111111-2222-3333-4444-555555555555';

export interface Fixture {
  pod: Pod;
  events: Event[];
  /** Records an event `ms` after the pod was scheduled; `container` as `init:name` for an init container. */
  at(ms: number, reason: string, message: string, opts?: { container?: string; type?: 'Normal' | 'Warning' }): Fixture;
}

export function fixture(spec: { containers: string[]; initContainers?: string[]; phase?: string }): Fixture {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: UID },
    spec: {
      containers: spec.containers.map((name) => ({ name, image: 'busybox' })),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map((name) => ({ name, image: 'busybox' })) } : {}),
    },
    status: { phase: spec.phase ?? 'Pending', containerStatuses: [], ...(spec.initContainers ? { initContainerStatuses: [] } : {}) },
  };
  const f: Fixture = {
    pod,
    events: [],
    at(ms, reason, message, opts = {}) {
      const c = opts.container;
      const fieldPath = c ? (c.startsWith('init:') ? `spec.initContainers{${c.slice(5)}}` : `spec.containers{${c}}`) : undefined;
      const warning = ['Failed', 'BackOff', 'ExceededGracePeriod', 'FailedCreatePodSandBox'].includes(reason) || (reason === 'Exited' && !/ with code 0$/.test(message));
      this.events.push({
        metadata: { name: `p.${this.events.length}`, namespace: 'default' },
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'p', uid: UID, ...(fieldPath ? { fieldPath } : {}) },
        type: opts.type ?? (warning ? 'Warning' : 'Normal'),
        reason,
        message,
        eventTime: microTime(new Date(T0 + ms)),
      } as Event);
      return this;
    },
  };
  return f.at(0, 'Scheduled', 'Successfully assigned default/p to vm').at(100, 'SandboxReady', 'Pod sandbox created: pause pid 100, hostname p, pod IP 10.0.0.2');
}

/** Sets a container's final status (an init container as `init:name`). */
export function status(f: Fixture, name: string, s: Omit<ContainerStatus, 'name' | 'image' | 'imageID' | 'ready' | 'restartCount'> & { restartCount?: number }): Fixture {
  const init = name.startsWith('init:');
  const list = init ? f.pod.status!.initContainerStatuses! : f.pod.status!.containerStatuses!;
  list.push({ name: init ? name.slice(5) : name, image: 'busybox', imageID: '', ready: false, restartCount: 0, ...s });
  return f;
}

/** The run's grace-period delete at `ms`. */
export function deleted(f: Fixture, ms: number, grace = 30): Fixture {
  return f.at(ms, 'DeleteRequested', `Pod deletion requested with a grace period of ${grace}s`);
}

export const terminated = (exitCode: number, extra: Record<string, unknown> = {}) => ({
  terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: '2026-01-01T10:00:00Z', finishedAt: '2026-01-01T10:00:01Z', ...extra },
});

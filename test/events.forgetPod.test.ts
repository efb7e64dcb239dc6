// A deleted pod's correlator entries are dropped (EventRecorder.forgetPod): its uid can never be
// on a new event, so nothing observable changes for live pods, and the deleted pod's events stay
// in the ring (a cluster keeps them until their TTL). What shows it was dropped: the same event
// recorded again under that uid (never happens for a real pod) starts a new object, count 1.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { EventRecorder } from '../src/kubelet/events.js';

const gone: Pod = { metadata: { name: 'gone', namespace: 'default', uid: 'u-gone' }, spec: { containers: [] } };
const live: Pod = { metadata: { name: 'live', namespace: 'default', uid: 'u-live' }, spec: { containers: [] } };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

describe('EventRecorder.forgetPod', () => {
  it("drops the deleted pod's correlator entries, keeps its events and the other pods' counts", () => {
    const r = new EventRecorder('node-1');
    const record = (p: Pod, s: number) => r.record(p, 'Warning', 'BackOff', 'Back-off restarting failed container app', 'spec.containers{app}', at(s));
    const first = record(gone, 0);
    expect(record(gone, 1)).toMatchObject({ count: 2, metadata: { name: first.metadata.name } });
    record(live, 1);
    expect(record(live, 2).count).toBe(2);

    r.forgetPod('u-gone');
    expect(r.forPod('default', 'gone')).toHaveLength(1);
    expect(r.forPod('default', 'gone')[0].count).toBe(2);
    const again = record(gone, 3);
    expect(again.count).toBe(1);
    expect(again.metadata.name).not.toBe(first.metadata.name);
    expect(record(live, 3).count).toBe(3);
    r.forgetPod(undefined);
    expect(record(live, 4).count).toBe(4);
  });
});

// describe's Age column for an aggregated event, as kubectl's DescribeEvents writes it:
// "%s (x%d over %s)", last occurrence, count, first occurrence (translateTimestampSince).
import { describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { describeEventsSection } from '../src/api/printers/describePod.js';
import { EventRecorder } from '../src/kubelet/events.js';

const pod: Pod = { metadata: { name: 'crasher', namespace: 'default', uid: 'u-1' }, spec: { containers: [] } };
const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('describe pod: repeated events', () => {
  it('shows "10s (x12 over 3m)" for a BackOff seen 12 times in the last 3 minutes, one line', () => {
    const r = new EventRecorder('node-1');
    r.record(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine', 'spec.containers{app}', new Date(T0));
    for (let i = 0; i < 12; i++) {
      r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app in pod crasher_default(u-1)', 'spec.containers{app}', new Date(T0 + (i * 170_000) / 11));
    }
    const out = describeEventsSection(r.forPod('default', 'crasher'), T0 + 180_000);
    expect(out.split('\n')).toEqual([
      'Events:',
      '  Type     Reason   Age                From     Message',
      '  ----     ------   ----               ----     -------',
      '  Normal   Pulled   3m                 kubelet  Container image "busybox" already present on machine',
      '  Warning  BackOff  10s (x12 over 3m)  kubelet  Back-off restarting failed container app in pod crasher_default(u-1)',
      '',
    ]);
  });

  it('reads the legacy fields alone as kubectl does (count, firstTimestamp, lastTimestamp; no series)', () => {
    const out = describeEventsSection(
      [{ metadata: { name: 'e' }, involvedObject: {}, type: 'Warning', reason: 'BackOff', message: 'm', source: { component: 'kubelet' },
        count: 12, firstTimestamp: '2026-03-01T10:00:00Z', lastTimestamp: '2026-03-01T10:02:50Z' }],
      T0 + 180_000,
    );
    expect(out).toContain('  Warning  BackOff  10s (x12 over 3m)  kubelet  m\n');
  });
});

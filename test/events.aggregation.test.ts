// The kubelet's event recorder rules (client-go tools/record/events_cache.go), on the recorder's
// objects: identical events counted on one object, similar ones combined past 10 in 10 minutes.
import { describe, expect, it } from 'vitest';
import type { Event, Pod } from '../src/api/types.js';
import { COMBINED_PREFIX } from '../src/kubelet/eventCorrelator.js';
import { eventTime, EventRecorder, type EventChange } from '../src/kubelet/events.js';
import { LruCache } from '../src/kubelet/lruCache.js';

const pod: Pod = { metadata: { name: 'crasher', namespace: 'default', uid: 'u-1' }, spec: { containers: [] } };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const app = 'spec.containers{app}';

function recorder(capacity = 5000) {
  const r = new EventRecorder('node-1', capacity);
  const changes: { change: EventChange; event: Event }[] = [];
  r.on('event', (event: Event, change: EventChange) => changes.push({ change, event }));
  return { r, changes };
}

describe('identical events (eventLogger)', () => {
  it('update one object: count + 1, lastTimestamp moves, name, firstTimestamp and eventTime stay', () => {
    const { r, changes } = recorder();
    const first = r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(0));
    const second = r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(20));
    const third = r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(180.5));
    expect(r.list()).toHaveLength(1);
    expect(first).toMatchObject({ count: 1, firstTimestamp: '2026-03-01T10:00:00Z', lastTimestamp: '2026-03-01T10:00:00Z' });
    expect(first.series).toBeUndefined();
    expect(third).toMatchObject({
      metadata: { name: first.metadata.name, uid: first.metadata.uid, creationTimestamp: first.metadata.creationTimestamp },
      count: 3,
      firstTimestamp: '2026-03-01T10:00:00Z',
      lastTimestamp: '2026-03-01T10:03:00Z',
      eventTime: '2026-03-01T10:00:00.000000Z',
      // The events.k8s.io shape: count and the last occurrence, to the microsecond.
      series: { count: 3, lastObservedTime: '2026-03-01T10:03:00.500000Z' },
    });
    // Every write has its own resourceVersion; a watch sees ADDED, then MODIFIED with the object as it is.
    const rvs = [first, second, third].map((e) => Number(e.metadata.resourceVersion));
    expect(rvs[1]).toBeGreaterThan(rvs[0]!);
    expect(rvs[2]).toBeGreaterThan(rvs[1]!);
    expect(changes.map((c) => [c.change, c.event.count])).toEqual([['ADDED', 1], ['MODIFIED', 2], ['MODIFIED', 3]]);
    expect(eventTime(third).toISOString()).toBe('2026-03-01T10:03:00.500Z');
  });

  it('are told apart by fieldPath, type, reason and message', () => {
    const { r } = recorder();
    r.record(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine', 'spec.containers{a}', at(0));
    r.record(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine', 'spec.containers{b}', at(1));
    r.record(pod, 'Warning', 'Pulled', 'Container image "busybox" already present on machine', 'spec.containers{a}', at(2));
    r.record(pod, 'Normal', 'Created', 'Container image "busybox" already present on machine', 'spec.containers{a}', at(3));
    r.record(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine', 'spec.containers{a}', at(4));
    expect(r.list().map((e) => e.count)).toEqual([1, 1, 1, 2]);
  });

  it('of another pod with the same name (another uid) are another event', () => {
    const { r } = recorder();
    r.record(pod, 'Normal', 'Started', 'Started container app', app, at(0));
    r.record({ ...pod, metadata: { ...pod.metadata, uid: 'u-2' } }, 'Normal', 'Started', 'Started container app', app, at(1));
    expect(r.list()).toHaveLength(2);
  });
});

describe('similar events (EventAggregator)', () => {
  const message = (i: number) => `Liveness probe failed: attempt ${i}`;

  it('the 10th different message within 10 minutes starts "(combined from similar events)"; later ones update it', () => {
    const { r } = recorder();
    for (let i = 1; i <= 9; i++) r.record(pod, 'Warning', 'Unhealthy', message(i), app, at(i));
    expect(r.list()).toHaveLength(9);
    expect(r.list().every((e) => !e.message!.startsWith(COMBINED_PREFIX))).toBe(true);
    const tenth = r.record(pod, 'Warning', 'Unhealthy', message(10), app, at(10));
    expect(tenth).toMatchObject({ message: COMBINED_PREFIX + message(10), count: 1, firstTimestamp: '2026-03-01T10:00:10Z' });
    const eleventh = r.record(pod, 'Warning', 'Unhealthy', message(11), app, at(11));
    expect(eleventh).toMatchObject({ metadata: { name: tenth.metadata.name }, message: COMBINED_PREFIX + message(11), count: 2 });
    expect(r.list()).toHaveLength(10);
  });

  it('a message still in the group keeps its own object; one dropped from the group goes to the combined one', () => {
    const { r } = recorder();
    for (let i = 1; i <= 11; i++) r.record(pod, 'Warning', 'Unhealthy', message(i), app, at(i));
    // The group holds 9 messages after each aggregation: 1 and 2 were dropped (the oldest first here;
    // client-go drops "any" one), 3..11 remain.
    const again5 = r.record(pod, 'Warning', 'Unhealthy', message(5), app, at(12));
    expect(again5).toMatchObject({ message: message(5), count: 2 });
    const again1 = r.record(pod, 'Warning', 'Unhealthy', message(1), app, at(13));
    expect(again1).toMatchObject({ message: COMBINED_PREFIX + message(1), count: 3 });
  });

  it('the window rolls from the last similar event: more than 10 minutes of quiet start the group over', () => {
    const { r } = recorder();
    for (let i = 1; i <= 9; i++) r.record(pod, 'Warning', 'Unhealthy', message(i), app, at(i * 60)); // one a minute: never quiet for 10 min
    const tenth = r.record(pod, 'Warning', 'Unhealthy', message(10), app, at(600));
    expect(tenth.message).toBe(COMBINED_PREFIX + message(10));
    const afterQuiet = r.record(pod, 'Warning', 'Unhealthy', message(12), app, at(600 + 601));
    expect(afterQuiet).toMatchObject({ message: message(12), count: 1 });
  });

  it('groups the kubelet\'s events per pod and reason, whatever the container (fieldPath is not in the key)', () => {
    const { r } = recorder();
    for (let i = 1; i <= 10; i++) r.record(pod, 'Normal', 'Created', `Created container c${i}`, `spec.containers{c${i}}`, at(i));
    const last = r.list().at(-1)!;
    expect(last.message).toBe(`${COMBINED_PREFIX}Created container c10`);
    expect(last.involvedObject.fieldPath).toBe('spec.containers{c10}');
  });

  it('groups tinylet\'s own timeline events per container, so a combined one names its container', () => {
    const { r } = recorder();
    for (let i = 1; i <= 10; i++) r.record(pod, 'Warning', 'Exited', `Container c${i} (pid ${100 + i}) exited with code 1`, `spec.containers{c${i}}`, at(i));
    expect(r.list().every((e) => !e.message!.startsWith(COMBINED_PREFIX))).toBe(true);
    for (let i = 1; i <= 10; i++) r.record(pod, 'Warning', 'Exited', `Container c1 (pid ${200 + i}) exited with code 1`, 'spec.containers{c1}', at(20 + i));
    const combined = r.list().filter((e) => e.message!.startsWith(COMBINED_PREFIX));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ message: `${COMBINED_PREFIX}Container c1 (pid 210) exited with code 1`, count: 2, involvedObject: { fieldPath: 'spec.containers{c1}' } });
  });
});

describe('the ring of event objects', () => {
  it('keeps the most recently written ones; a repeat of a dropped event is created again with its name and count', () => {
    const { r, changes } = recorder(3);
    const a = r.record(pod, 'Normal', 'Started', 'Started container a', 'spec.containers{a}', at(0));
    r.record(pod, 'Normal', 'Started', 'Started container b', 'spec.containers{b}', at(1));
    r.record(pod, 'Normal', 'Started', 'Started container c', 'spec.containers{c}', at(2));
    // A repeat is a write: it moves to the newest end, and b is the oldest now.
    r.record(pod, 'Normal', 'Started', 'Started container a', 'spec.containers{a}', at(3));
    r.record(pod, 'Normal', 'Started', 'Started container d', 'spec.containers{d}', at(4));
    expect(r.list().map((e) => e.involvedObject.fieldPath)).toEqual(['spec.containers{c}', 'spec.containers{a}', 'spec.containers{d}']);
    r.record(pod, 'Normal', 'Started', 'Started container e', 'spec.containers{e}', at(5));
    r.record(pod, 'Normal', 'Started', 'Started container f', 'spec.containers{f}', at(6));
    const again = r.record(pod, 'Normal', 'Started', 'Started container a', 'spec.containers{a}', at(7));
    // client-go's recordEvent: the patch finds nothing, so the event is created again (count kept).
    expect(again).toMatchObject({ metadata: { name: a.metadata.name }, count: 3, firstTimestamp: a.firstTimestamp, series: { count: 3 } });
    expect(changes.at(-1)!.change).toBe('ADDED');
  });

  it('restores persisted events with their counts; counting then starts afresh, as after a kubelet restart', () => {
    const { r } = recorder();
    r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(0));
    r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(10));
    const saved = JSON.parse(JSON.stringify(r.list())) as Event[];
    const { r: next } = recorder();
    next.load(saved);
    expect(next.forPod('default', 'crasher')[0]).toMatchObject({ count: 2, series: { count: 2 } });
    next.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(20));
    expect(next.list().map((e) => e.count)).toEqual([2, 1]);
  });
});

describe('LruCache', () => {
  it('drops the least recently used entry, get and add both counting as a use', () => {
    const c = new LruCache<number>(2);
    c.add('a', 1);
    c.add('b', 2);
    c.get('a');
    c.add('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe('the events file (store/events.json)', () => {
  it('keeps the counts of aggregated events across an agent restart', async () => {
    const { mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { EventStore } = await import('../src/store/eventStore.js');
    const dir = mkdtempSync(join(tmpdir(), 'tinylet-events-'));
    mkdirSync(join(dir, 'store')); // the agent's PodStore makes it
    try {
      const { r } = recorder();
      for (let i = 0; i < 5; i++) r.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', app, at(i * 10));
      new EventStore(dir, () => r.list()).flush();
      const { r: next } = recorder();
      next.load(new EventStore(dir, () => next.list()).load());
      expect(next.list()).toEqual(r.list());
      expect(next.list()[0]).toMatchObject({ count: 5, firstTimestamp: '2026-03-01T10:00:00Z', lastTimestamp: '2026-03-01T10:00:40Z', series: { count: 5 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The kubelet-side record (src/kubelet/timeline): its ring, the probe tick sample, endpoint
// membership from EndpointSlice writes, and how the renderer draws the new entries.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Event, Pod } from '../src/api/types.js';
import { EndpointMembership } from '../src/kubelet/timeline/endpointMembership.js';
import { PodTimelines } from '../src/kubelet/timeline/podTimelines.js';
import { keepTick } from '../src/kubelet/timeline/probeSampler.js';
import { Ring } from '../src/kubelet/timeline/ring.js';
import { endpointBandsOf, lanesOf } from '../src/timeline/lanes.js';
import { renderHtml } from '../src/timeline/renderHtml.js';
import { renderSvg } from '../src/timeline/renderSvg.js';
import { kubeletRecord } from './timeline.kubeletFixture.js';

describe('the ring', () => {
  it('keeps the newest entries, oldest first, and counts the dropped', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 7; i++) r.push(i);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.dropped).toBe(4);
    expect(() => new Ring(0)).toThrow(/positive integer/);
  });
});

describe('probe tick sample', () => {
  it('keeps the first five of a run and about nine per decade after: an hour of 1 s ticks is a few dozen', () => {
    const kept = Array.from({ length: 3600 }, (_, i) => i + 1).filter(keepTick);
    expect(kept.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 10, 20, 30]);
    expect(kept).toContain(3000);
    expect(kept.length).toBeLessThan(30);
  });
});

describe('endpoint membership from EndpointSlice writes', () => {
  it('reports ready, terminating, and removed per Service, once per change', () => {
    const seen: [string, string, unknown][] = [];
    const m = new EndpointMembership((uid, svc, state) => seen.push([uid, svc, state]));
    const slice = (conds: object | null, name = 'web-abc') => ({
      metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: conds ? [{ targetRef: { kind: 'Pod', uid: 'u1' }, conditions: conds }] : [],
    });
    m.observe('ADDED', slice({ ready: true, serving: true, terminating: false }));
    m.observe('MODIFIED', slice({ ready: true, serving: true, terminating: false }));
    m.observe('MODIFIED', slice({ ready: false, serving: true, terminating: true }));
    m.observe('MODIFIED', slice(null));
    // Garbage does not throw and reports nothing.
    m.observe('MODIFIED', { metadata: { labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: 'x' } as never);
    expect(seen).toEqual([
      ['u1', 'web', { ready: true, serving: true, terminating: false }],
      ['u1', 'web', { ready: false, serving: true, terminating: true }],
      ['u1', 'web', null],
    ]);
    // A deleted slice removes its pods too; nil conditions read as ready (the API's rule).
    m.observe('ADDED', slice({}, 'web-2'));
    m.observe('DELETED', slice({}, 'web-2'));
    expect(seen.slice(3)).toEqual([['u1', 'web', { ready: true, serving: true, terminating: false }], ['u1', 'web', null]]);
  });
});

/** The kubelet's emitters as the store attaches to them (their real types: EventEmitters). */
function fakeKubelet() {
  const k = Object.assign(new EventEmitter(), { events: new EventEmitter(), pods: new Map<string, Pod>(), getPod: (ns: string, n: string) => k.pods.get(`${ns}/${n}`) });
  return k;
}
const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'web', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } };
const event = (reason: string, message: string): Event => ({ metadata: {}, involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', fieldPath: 'spec.containers{app}' }, type: 'Normal', reason, message, eventTime: new Date().toISOString() }) as Event;

describe('PodTimelines', () => {
  it('records events, sampled probe ticks with the failure message, hooks, the deadline and Ready; drops the pod at its removal', () => {
    const k = fakeKubelet();
    const tl = new PodTimelines(100);
    tl.attach(k as never);
    k.emit('pod', 'ADDED', pod);
    k.events.emit('event', event('Started', 'Started container app'));
    const sink = tl.container('u1', 'app');
    sink.hook('postStart', 'start');
    sink.hook('postStart', 'end', true);
    k.events.emit('event', { ...event('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503'), type: 'Warning' });
    sink.probe('readiness', 'failure', 4);
    for (let i = 0; i < 30; i++) sink.probe('readiness', 'success', 2);
    sink.probe('readiness', 'unknown', 1);
    k.emit('pod', 'MODIFIED', { ...pod, status: { containerStatuses: [{ name: 'app', ready: true }] } });
    sink.deadline(2, true);
    const r = tl.record('default', 'web')!;
    expect(r.source).toBe('kubelet');
    const ticks = r.entries.filter((e) => e.probe);
    // 1 failure, then successes 1..5, 10, 20, 30 of the run; the errored one is not a tick.
    expect(ticks.map((e) => `${e.probe!.result}:${e.probe!.run}`)).toEqual(['failure:1', 'success:1', 'success:2', 'success:3', 'success:4', 'success:5', 'success:10', 'success:20', 'success:30']);
    expect(ticks[0].message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503 (4 ms)');
    expect(ticks[8].message).toBe('readiness probe succeeded (2 ms, 30 in a row)');
    // The Unhealthy event itself is carried by its tick, not kept twice.
    expect(r.entries.some((e) => e.reason === 'Unhealthy')).toBe(false);
    expect(r.entries.map((e) => e.reason)).toEqual(expect.arrayContaining(['Started', 'HookStarted', 'HookFinished', 'Ready', 'KillDeadline']));
    expect(r.entries.find((e) => e.deadline)?.deadline).toEqual({ inSeconds: 2, extended: true });
    // A sink throwing nothing even for a pod it does not know.
    expect(() => tl.container('nope', 'x').probe('liveness', 'success', 1)).not.toThrow();
    k.emit('podFinished', { pod, deleting: true });
    expect(tl.record('default', 'web')).toBeUndefined();
    expect(tl.recordOf('u1')).toBeUndefined();
  });

  it('is bounded by its capacity, and keeps removed pods when asked (tinylet run)', () => {
    const k = fakeKubelet();
    const tl = new PodTimelines(10);
    tl.retainRemoved = true;
    tl.attach(k as never);
    k.emit('pod', 'ADDED', pod);
    for (let i = 0; i < 50; i++) k.events.emit('event', event('BackOff', `Back-off ${i}`));
    k.emit('podFinished', { pod, deleting: true });
    const r = tl.recordOf('u1')!;
    expect(r.entries.length).toBe(10);
    expect(r.dropped).toBe(40);
    expect(r.entries[9].message).toBe('Back-off 49');
  });

  it('keeps no record of a pod restored in a terminal phase (it never runs again)', () => {
    const k = fakeKubelet();
    const tl = new PodTimelines();
    tl.attach(k as never);
    k.emit('pod', 'ADDED', { ...pod, status: { phase: 'Succeeded' } });
    expect(tl.record('default', 'web')).toBeUndefined();
  });
});

describe('drawing the kubelet record', () => {
  it('gives hooks bars with their durations, probe rows per type, and the exact deadline', () => {
    const [, app] = lanesOf(kubeletRecord);
    expect(app.intervals.filter((i) => i.kind === 'postStart' || i.kind === 'preStop')).toEqual([
      { kind: 'postStart', from: 100, to: 600, open: false },
      { kind: 'preStop', from: 3200, to: 4000, open: false },
    ]);
    expect(app.probes.map((p) => [p.kind, p.ticks.map((t) => t.ok)])).toEqual([
      ['liveness', [true, true, true]],
      ['readiness', [false, true, true]],
    ]);
    // The deadline from the KillDeadline entry, not a second one from the Signal's message.
    expect(app.marks.filter((m) => m.kind === 'deadline')).toEqual([{ kind: 'deadline', t: 6000, label: 'SIGKILL due (+2s, 2s minimum)', warning: false }]);
  });

  it('draws the endpoint band per Service: ready, terminating, removed', () => {
    expect(endpointBandsOf(kubeletRecord)).toEqual([
      {
        service: 'web',
        segments: [
          { from: 2010, to: 3210, state: 'ready', open: false },
          { from: 3210, to: 4600, state: 'terminatingServing', open: false },
        ],
        removals: [4600],
      },
    ]);
    const svg = renderSvg(kubeletRecord);
    for (const s of ['iv postStart', 'iv preStop', '>postStart 500ms<', '>preStop 800ms<', 'data-probe="readiness"', 'data-probe="liveness"', 'tick failed', 'tick ok', 'data-service="web"', 'ep ready', 'ep terminatingServing', 'mark ep-removed', 'probe success', 'endpoint removed']) expect(svg).toContain(s);
    expect(svg).toBe(renderSvg(structuredClone(kubeletRecord)));
    const html = renderHtml(kubeletRecord);
    expect(html).toContain('From the kubelet&#39;s own record');
    expect(html.match(/<tr class=/g)?.length).toBe(kubeletRecord.entries.length);
  });

  it('draws only the shapes it knows from a record that came over the wire, escaped', () => {
    const hostile = structuredClone(kubeletRecord);
    hostile.entries.push(
      { t: 10, type: 'Normal', reason: 'HookStarted', container: 'app', message: 'x', hook: { name: '"><script>' as never, phase: 'start' } },
      { t: 20, type: 'Normal', reason: 'ProbeResult', container: 'app', message: 'x', probe: { kind: '<b>' as never, result: 'success', durationMs: 1, run: 1 } },
      { t: 30, type: 'Normal', reason: 'EndpointChanged', message: 'x', endpoint: { service: '<svc>', state: { ready: true, serving: true, terminating: false } } },
      { t: 40, type: 'Normal', reason: 'KillDeadline', container: 'app', message: 'x', deadline: { inSeconds: '"/>' as never, extended: false } },
    );
    const svg = renderSvg(hostile);
    expect(svg).not.toMatch(/<script|<b>|<svc>|"\/>"/);
    expect(svg).toContain('data-service="&lt;svc&gt;"');
    expect(svg).not.toContain('NaN');
  });
});

import { describe, expect, it } from 'vitest';
import { lanesOf } from '../src/timeline/lanes.js';
import { MAX_ENTRIES, recordFromEvents, type TimelineRecord } from '../src/timeline/record.js';
import { renderHtml } from '../src/timeline/renderHtml.js';
import { renderSvg, tickStep } from '../src/timeline/renderSvg.js';
import { timelineFormatOf } from '../src/timeline/writeTimeline.js';
import { ev, pod, record, T0 } from './helpers/timelineFixture.js';

describe('timeline record', () => {
  it('keeps this pod\'s occurrences in time order, relative to its first event', () => {
    expect(record.origin).toBe(T0);
    expect(record.entries.map((e) => e.t)).toEqual([0, 120, 130, 900, 1000, 1002, 1003, 1010, 1030, 2003, 4003, 4010]);
    expect(record.containers).toEqual(['app', 'side<car>']);
    expect(record.end).toBe(4100);
  });

  it('bounds the entries of a pod', () => {
    const many = Array.from({ length: MAX_ENTRIES + 10 }, (_, i) => ev(i, 'BackOff', 'Back-off restarting failed container app', 'app'));
    const r = recordFromEvents(pod, many);
    expect(r.entries.length).toBe(MAX_ENTRIES);
    expect(r.origin).toBe(T0 + 10);
  });

  it('derives running and preStop intervals, signal, SIGKILL, exit and deadlines per lane', () => {
    const [podLane, app, side] = lanesOf(record);
    expect(podLane.marks).toEqual([
      { kind: 'delete', t: 1000, label: 'delete', warning: false },
      { kind: 'deadline', t: 4000, label: 'grace ends (3s)', warning: false },
    ]);
    expect(app.intervals).toEqual([
      { kind: 'running', from: 120, to: 4010, open: false },
      { kind: 'preStop', from: 1003, to: 2003, open: false },
    ]);
    expect(app.marks.map((m) => [m.kind, m.t, m.label])).toEqual([
      ['probe', 900, 'Readiness failed'],
      ['signal', 2003, 'SIGTERM'],
      ['deadline', 4003, 'SIGKILL due (+2s)'],
      ['sigkill', 4003, 'SIGKILL'],
      ['exit', 4010, 'SIGKILL (137)'],
    ]);
    expect(side.marks.find((m) => m.kind === 'exit')?.label).toBe('exit 0');
  });

  it('draws a back-off wait until the next start, and leaves a still-running container open to the end', () => {
    const r = recordFromEvents(pod, [
      ev(0, 'Started', 'Started container app', 'app'),
      ev(100, 'Exited', 'Container app (pid 1) exited with code 1', 'app', 'Warning'),
      ev(110, 'BackOff', 'Back-off restarting failed container app in pod web_default(u1)', 'app', 'Warning'),
      ev(10110, 'Started', 'Started container app', 'app'),
    ], T0 + 12000);
    expect(lanesOf(r)[1].intervals).toEqual([
      { kind: 'running', from: 0, to: 100, open: false },
      { kind: 'backoff', from: 110, to: 10110, open: false },
      { kind: 'running', from: 10110, to: 12000, open: true },
    ]);
  });
});

describe('Ready transitions', () => {
  it('become entries of their container and a ready interval until not ready or the exit', () => {
    const r = recordFromEvents(pod, [ev(0, 'Started', 'Started container app', 'app'), ev(900, 'Exited', 'Container app (pid 1) exited with code 0', 'app')], T0 + 1000, [
      { uid: 'u1', container: 'app', ready: true, at: T0 + 200 },
      { uid: 'u1', container: 'app', ready: false, at: T0 + 400 },
      { uid: 'u1', container: 'app', ready: true, at: T0 + 500 },
      { uid: 'other', container: 'app', ready: true, at: T0 + 50 },
    ]);
    expect(r.entries.map((e) => [e.t, e.reason])).toEqual([[0, 'Started'], [200, 'Ready'], [400, 'NotReady'], [500, 'Ready'], [900, 'Exited']]);
    expect(lanesOf(r)[1].intervals.filter((i) => i.kind === 'ready')).toEqual([
      { kind: 'ready', from: 200, to: 400, open: false },
      { kind: 'ready', from: 500, to: 900, open: false },
    ]);
    expect(renderSvg(r)).toContain('class="iv ready"');
  });
});

describe('timeline renderer', () => {
  it('gives the same bytes for the same record', () => {
    expect(renderSvg(record)).toBe(renderSvg(structuredClone(record)));
    expect(renderHtml(record)).toBe(renderHtml(structuredClone(record)));
  });

  it('draws a lane per container, the marks, the axis and the legend, escaping names', () => {
    const svg = renderSvg(record);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-lane="pod"');
    expect(svg).toContain('data-lane="app"');
    expect(svg).toContain('data-lane="side&lt;car&gt;"');
    expect(svg).not.toContain('side<car>');
    for (const cls of ['iv running', 'iv preStop', 'mark signal', 'mark sigkill', 'mark exit', 'mark probe', 'mark deadline', 'mark delete', 'class="legend"']) expect(svg).toContain(cls);
    // 4.1s of record: about 8 ticks of a round step, here 1s, from +0ms to +5s.
    expect(tickStep(4100)).toBe(1000);
    expect(tickStep(3000)).toBe(500);
    expect(svg).toContain('>+0ms<');
    expect(svg).toContain('>+5s<');
    expect(svg).not.toContain('>+6s<');
    expect(svg).not.toMatch(/<script|href=|url\((?!#hatch)/);
  });

  it('HTML embeds the SVG and a row per event, with no script or external resource', () => {
    const html = renderHtml(record);
    expect(html).toContain('<svg xmlns=');
    expect(html.match(/<tr class=/g)?.length).toBe(record.entries.length);
    expect(html).toContain('<td>ExceededGracePeriod</td>');
    expect(html).not.toMatch(/<script|<link|src=|@import/);
  });

  it('an empty record still renders', () => {
    const empty: TimelineRecord = { pod: { namespace: 'a', name: 'b' }, origin: 0, containers: [], entries: [], end: 0 };
    expect(renderSvg(empty)).toContain('data-lane="pod"');
  });
});

describe('--timeline file name', () => {
  it('takes the format from the extension, naming the option otherwise', () => {
    expect(timelineFormatOf('x/t.svg')).toBe('svg');
    expect(timelineFormatOf('T.HTML')).toBe('html');
    expect(() => timelineFormatOf('t.png')).toThrow(/--timeline t\.png: .*\.svg or \.html/);
  });
});

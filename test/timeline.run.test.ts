import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lanesOf } from '../src/timeline/lanes.js';
import { recordFromEvents } from '../src/timeline/record.js';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A real pod: `app` is `sleep` as PID 1 (no SIGTERM handler: it ignores the signal), with a failing
 * readiness probe and a 1-second preStop hook; `side` exits on SIGTERM. Deleted after 3s with a
 * 3-second grace: the hook takes 1s, SIGTERM gets the 2s left, then SIGKILL at the deadline.
 */
const manifest = `apiVersion: v1
kind: Pod
metadata: {name: tl}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
    readinessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
    lifecycle:
      preStop:
        exec: {command: [sleep, "1"]}
  - name: side
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']
    readinessProbe:
      exec: {command: ["true"]}
      periodSeconds: 1
`;

describe('tinylet run --timeline', () => {
  it('writes the picture of a real pod\'s stop: probe failures, preStop, SIGTERM, SIGKILL at the deadline', async () => {
    const pod = writeTestFile(dir, 'tl.yaml', manifest);
    const out = join(dir, 'tl.html');
    const r = await execa('node', [cli, 'run', pod, '--for', '3s', '-o', 'json', '--timeline', out, '--config', writeAgentConfig(dir, 'a')], { reject: false, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(1); // app was SIGKILLed: not a good stop
    const doc = JSON.parse(r.stdout);
    // The Ready transitions -o json does not print: read them back from the picture below.
    const record = recordFromEvents(doc.pod, doc.events);
    const [podLane, app, side] = lanesOf(record);
    expect(app.name).toBe('app');

    const del = podLane.marks.find((m) => m.kind === 'delete')!;
    const graceEnds = podLane.marks.find((m) => m.kind === 'deadline')!;
    expect(graceEnds.t - del.t).toBe(3000);
    // --for 3s (time for side's probe to pass first): the delete comes about 3s after the pod's first event (slack for a loaded box).
    expect(del.t).toBeGreaterThan(2500);
    expect(del.t).toBeLessThan(15_000);

    const running = app.intervals.find((i) => i.kind === 'running')!;
    const preStop = app.intervals.find((i) => i.kind === 'preStop')!;
    expect(running.from).toBeLessThan(del.t);
    expect(preStop.from).toBeGreaterThanOrEqual(del.t);
    // The hook is `sleep 1`: about a second, never less.
    expect(preStop.to - preStop.from).toBeGreaterThanOrEqual(950);
    expect(preStop.to - preStop.from).toBeLessThan(2500);

    const probes = app.marks.filter((m) => m.kind === 'probe');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes[0].label).toBe('Readiness failed');

    const signal = app.marks.find((m) => m.kind === 'signal')!;
    const due = app.marks.find((m) => m.kind === 'deadline')!;
    const kill = app.marks.find((m) => m.kind === 'sigkill')!;
    const exit = app.marks.find((m) => m.kind === 'exit')!;
    expect(signal.label).toBe('SIGTERM');
    expect(signal.t).toBeGreaterThanOrEqual(preStop.to);
    expect(due.label).toBe('SIGKILL due (+2s)');
    // SIGKILL at the deadline the signal set: 2s after it, within scheduling slack.
    expect(kill.t - signal.t).toBeGreaterThanOrEqual(1950);
    expect(kill.t - signal.t).toBeLessThan(3500);
    expect(exit.label).toBe('SIGKILL (137)');
    expect(exit.t).toBeGreaterThanOrEqual(kill.t);
    expect(running.to).toBe(exit.t);
    // Probes run while the container runs (on a loaded box the first may come after the delete).
    expect(probes[0].t).toBeGreaterThanOrEqual(running.from);
    expect(probes[probes.length - 1].t).toBeLessThanOrEqual(exit.t);

    const sideExit = side.marks.find((m) => m.kind === 'exit')!;
    expect(sideExit.label).toBe('exit 0');
    expect(side.marks.find((m) => m.kind === 'sigkill')).toBeUndefined();

    const html = readFileSync(out, 'utf8');
    // side became ready (its probe succeeds), app never did (its probe fails).
    const sideLane = html.slice(html.indexOf('data-lane="side"'));
    const appLane = html.slice(html.indexOf('data-lane="app"'), html.indexOf('data-lane="side"'));
    expect(sideLane).toContain('class="iv ready"');
    expect(appLane).not.toContain('class="iv ready"');
    expect(html).toContain('<title>Timeline of pod default/tl</title>');
    for (const s of ['data-lane="app"', 'data-lane="side"', 'mark sigkill', 'iv preStop', '<td>ExceededGracePeriod</td>']) expect(html).toContain(s);
    // The kubelet's record of the run: app's failing readiness ticks and side's succeeding ones,
    // each hook's bar with its duration, and the deadline as the kill set it.
    expect(html).toContain('From the kubelet&#39;s own record');
    expect(appLane).toContain('class="tick failed"');
    expect(appLane).not.toContain('class="tick ok"');
    expect(sideLane).toContain('class="tick ok"');
    expect(appLane).toMatch(/class="hook-duration"[^>]*>preStop (9\d\dms|[12](\.\d{3})?s)</);
    expect(appLane).toContain('SIGKILL due (+2s)');
  }, 90_000);

  it('refuses a --timeline file name without .svg or .html before starting anything', async () => {
    const pod = writeTestFile(dir, 'never.yaml', manifest.replace('name: tl', 'name: never'));
    const r = await execa('node', [cli, 'run', pod, '--timeline', join(dir, 'x.png'), '--config', writeAgentConfig(dir, 'b')], { reject: false, timeout: 30_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('--timeline');
    expect(r.stderr).toContain('.svg or .html');
    expect(r.stdout).not.toContain('Started');
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });
});

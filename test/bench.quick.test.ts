// `npm run bench -- --quick`: the bench's smoke run, with tiny counts and no podman, on real
// processes (agents in child processes, `tinylet run`, real pods). Checks the JSON document's shape
// and that its values are sane measurements (positive, bounded, consistent with each other), not
// the speed goals: timed goals are judged by the full bench on a quiet machine, never here.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesMatching } from './helpers/leaks.js';

const RUN = join(import.meta.dirname, '..', 'dist', 'bench', 'run.js');
// The bench's temp dirs go under this one (TMPDIR): the leak check looks for exactly those.
const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-quick-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const num = (x: unknown) => {
  expect(typeof x).toBe('number');
  expect(Number.isFinite(x)).toBe(true);
  return x as number;
};

describe('npm run bench -- --quick', () => {
  it('measures every case and writes a sane JSON document, leaving nothing behind', { timeout: 240_000 }, async () => {
    const out = join(dir, 'quick.json');
    const r = await execa('node', [RUN, '--quick', '--out', out], { reject: false, env: { TMPDIR: dir }, timeout: 230_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = JSON.parse(readFileSync(out, 'utf8'));

    expect(d.mode).toBe('quick');
    expect(d.machine.cores).toBeGreaterThan(0);
    expect(d.machine.kernel).toMatch(/^\d+\.\d+/);
    expect(d.machine.node).toBe(process.version);
    for (const [name, value] of Object.entries(d)) expect((value as { error?: string })?.error, name).toBeUndefined();

    // Floors: a process start takes time, and a namespaced one more than busybox's fork+exec.
    expect(num(d.floors.busyboxTrueMs)).toBeGreaterThan(0);
    expect(num(d.floors.unshareNetIpcUtsMs)).toBeGreaterThan(0);
    expect(num(d.floors.nodeEmptyMs)).toBeGreaterThan(num(d.floors.busyboxTrueMs));

    const c = d.comparison;
    expect(c.podman).toBe('not run (--quick)');
    expect(c.sides.podman).toBeNull();
    const cli = c.sides.tinyletCli;
    const api = c.sides.tinyletApi;
    // `tinylet run` starts a Node process first: never under the floor of `node -e 0`.
    expect(num(cli.start1.medianMs)).toBeGreaterThan(d.floors.nodeEmptyMs);
    for (const s of [cli.start1, cli.start3, api.start1, api.start3]) {
      expect(s.runs).toBe(d.sizes.startRuns);
      expect(num(s.medianMs)).toBeGreaterThan(0);
      expect(s.maxMs).toBeGreaterThanOrEqual(s.medianMs);
      expect(s.medianMs).toBeLessThan(60_000);
    }
    // A pod is its pause process, the launcher and the app at least; PSS shares what RSS counts whole.
    expect(api.memory.pods).toBe(d.sizes.memoryPods);
    expect(api.memory.processesPerPod).toBeGreaterThanOrEqual(3);
    expect(api.memory.processNames['tinylet-pause']).toBeGreaterThanOrEqual(2 * d.sizes.memoryPods);
    expect(api.memory.processNames.sleep).toBe(d.sizes.memoryPods);
    expect(num(api.memory.pssKbPerPod)).toBeGreaterThan(0);
    expect(api.memory.pssKbPerPod).toBeLessThanOrEqual(api.memory.rssKbPerPod);
    expect(api.memory.rssKbPerPod).toBeLessThan(100_000);
    // SIGKILL comes after the grace period: the container lived at least the 2 s (small negative
    // slack: the SIGTERM mark is read after it was written).
    expect(num(api.sigkillLateness.medianMs)).toBeGreaterThan(-50);
    expect(api.sigkillLateness.medianMs).toBeLessThan(10_000);
    expect(api.teardown).toMatchObject({ pods: d.sizes.teardownPods, appsEnded: true });
    expect(num(api.teardown.ms)).toBeGreaterThan(0);
    // The kubelet's back-off (10 s, then doubling): within a few seconds, at most one restart.
    expect(api.crashLoop.windowS).toBe(d.sizes.crashLoopWindowMs / 1000);
    expect(api.crashLoop.restarts).toBeLessThanOrEqual(1);

    expect(d.pause.pauseRssKb).toBeGreaterThan(0);
    // signalTiming.ts (SIGKILL deadline error) has its own shape; here: it ran (no {error} above).
    expect(d.signalTiming).toBeTypeOf('object');

    expect(d.probeCost).toMatchObject({ pods: d.sizes.probePods, probesPerSecond: 2 * d.sizes.probePods, restarts: 0, notReady: 0 });
    expect(num(d.probeCost.agentCpuPercentOfOneCore)).toBeGreaterThan(0);
    expect(d.probeCost.agentCpuPercentOfOneCore).toBeLessThan(200);
    // Exec probes ran in the window: their processes were reaped by the agent, with CPU time.
    expect(num(d.probeCost.probeProcessesCpuPercentOfOneCore)).toBeGreaterThan(0);

    expect(d.agentRss.afterCycle).toHaveLength(d.sizes.rssCycles);
    expect(num(d.agentRss.baselineRssMB)).toBeGreaterThan(20);
    expect(d.agentRss.baselineRssMB).toBeLessThan(1000);
    expect(num(d.agentRss.baselineHeapUsedMB)).toBeLessThan(d.agentRss.baselineRssMB);
    num(d.agentRss.rssKbPerIdlePod);

    // Nothing of the run is left: processes naming its temp dirs, the dirs themselves, its bridges.
    expect(await processesMatching(dir)).toEqual([]);
    expect(existsSync(out)).toBe(true);
    const ip = await execa('ip', ['-o', 'link', 'show']);
    expect(ip.stdout).not.toMatch(/tlbench\d/);
  });
});

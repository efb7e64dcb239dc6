import { describe, expect, it } from 'vitest';
import { ProbeWorker, initialResults } from '../src/kubelet/prober/worker.js';
import { probeSettings } from '../src/kubelet/prober/settings.js';
import type { ProbeKind, ProbeResult } from '../src/kubelet/prober/types.js';

/** A worker fed a script of results, driven by hand (no timers). */
function scripted(kind: ProbeKind, results: ProbeResult[], thresholds: { successThreshold?: number; failureThreshold?: number } = {}) {
  const changes: ProbeResult[] = [];
  const queue = [...results];
  const worker = new ProbeWorker({
    kind,
    settings: probeSettings(kind, { periodSeconds: 1, ...thresholds }),
    startedAt: Date.now(),
    probe: async () => queue.shift() ?? 'unknown',
    onChange: (r) => changes.push(r),
  });
  const steps = async (n: number) => {
    const keep: boolean[] = [];
    for (let i = 0; i < n; i++) keep.push(await worker.probeOnce());
    return keep;
  };
  return { worker, changes, steps };
}

describe('probe worker thresholds (worker.go)', () => {
  it('starts from the kubelet initial results', () => {
    expect(initialResults).toEqual({ readiness: 'failure', liveness: 'success', startup: 'unknown' });
    expect(scripted('readiness', []).worker.result).toBe('failure');
  });

  it('readiness publishes only changes, after successThreshold / failureThreshold in a row', async () => {
    const w = scripted('readiness', ['success', 'failure', 'success', 'success', 'success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure', 'failure'], {
      successThreshold: 2,
      failureThreshold: 3,
    });
    const keep = await w.steps(4);
    expect(keep).toEqual([true, true, true, true]);
    expect(w.changes).toEqual(['success']); // the 2nd success in a row (4th probe)
    await w.steps(4); // success, failure, failure, success: no failure run reaches 3
    expect(w.changes).toEqual(['success']);
    await w.steps(3);
    expect(w.changes).toEqual(['success', 'failure']);
    await w.steps(1); // a 4th failure in a row is no change
    expect(w.changes).toEqual(['success', 'failure']);
  });

  it('liveness fails once after failureThreshold failures in a row, then stops probing', async () => {
    const w = scripted('liveness', ['failure', 'failure', 'success', 'failure', 'failure', 'failure', 'failure'], { failureThreshold: 3 });
    expect(await w.steps(5)).toEqual([true, true, true, true, true]);
    expect(w.changes).toEqual([]); // success is the initial result: no change to publish
    expect(await w.steps(1)).toEqual([false]);
    expect(w.changes).toEqual(['failure']);
  });

  it('liveness ignores successThreshold (must be 1) and probe errors', async () => {
    const w = scripted('liveness', ['failure', 'unknown', 'unknown', 'failure', 'failure'], { successThreshold: 5, failureThreshold: 3 });
    expect(await w.steps(5)).toEqual([true, true, true, true, false]);
    expect(w.changes).toEqual(['failure']);
  });

  it('startup success and startup failure both end the worker', async () => {
    const ok = scripted('startup', ['failure', 'failure', 'success'], { failureThreshold: 3 });
    expect(await ok.steps(3)).toEqual([true, true, false]);
    expect(ok.changes).toEqual(['success']);
    const bad = scripted('startup', ['failure', 'failure'], { failureThreshold: 2 });
    expect(await bad.steps(2)).toEqual([true, false]);
    expect(bad.changes).toEqual(['failure']);
  });

  it('a result arriving after stop() is dropped', async () => {
    let release!: (r: ProbeResult) => void;
    const changes: ProbeResult[] = [];
    const worker = new ProbeWorker({
      kind: 'readiness',
      settings: probeSettings('readiness', {}),
      startedAt: Date.now(),
      probe: () => new Promise((r) => (release = r)),
      onChange: (r) => changes.push(r),
    });
    const pending = worker.probeOnce();
    worker.stop();
    release('success');
    expect(await pending).toBe(false);
    expect(changes).toEqual([]);
  });

  it('fills in the API defaults', () => {
    expect(probeSettings('readiness', {})).toEqual({ initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(probeSettings('liveness', { successThreshold: 3, periodSeconds: 0 }).successThreshold).toBe(1);
    expect(probeSettings('liveness', { periodSeconds: 0 }).periodSeconds).toBe(1);
  });

  it('on real timers: probes at initialDelaySeconds, then every periodSeconds, skipping ticks while a probe runs', async ({ onTestFinished }) => {
    const times: number[] = [];
    const startedAt = Date.now();
    const fast = new ProbeWorker({
      kind: 'readiness',
      settings: probeSettings('readiness', { periodSeconds: 1, initialDelaySeconds: 1 }),
      startedAt,
      probe: async () => (times.push(Date.now() - startedAt), 'success'),
      onChange: () => {},
    });
    let slowCount = 0;
    const slow = new ProbeWorker({
      kind: 'liveness',
      settings: probeSettings('liveness', { periodSeconds: 1 }),
      startedAt,
      probe: () => (slowCount++, new Promise((r) => setTimeout(() => r('success'), 1500))),
      onChange: () => {},
    });
    onTestFinished(() => (fast.stop(), slow.stop()));
    fast.start();
    slow.start();
    await new Promise((r) => setTimeout(r, 3400));
    expect(times.length).toBe(3); // at 1, 2 and 3 s
    expect(times[0]).toBeGreaterThanOrEqual(995);
    expect(times[1] - times[0]).toBeGreaterThan(700);
    expect(slowCount).toBe(2); // at 0 and 2 s: the tick at 1 s found the first probe still running
  });
});

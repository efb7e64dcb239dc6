import { describe, expect, it } from 'vitest';
import { backoffCurve, RestartBackoff } from '../src/kubelet/backoff.js';
import { formatGoDuration, parseDuration } from '../src/kubelet/duration.js';

describe('CrashLoopBackOff curve', () => {
  it('is 0, 10, 20, 40, 80, 160, 300, 300 s with the Kubernetes defaults', () => {
    expect(backoffCurve(10_000, 300_000, 8).map((ms) => ms / 1000)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('resets after the container ran for 10 minutes (twice the cap) since its last start', () => {
    const b = new RestartBackoff(10_000, 300_000);
    for (let i = 0; i < 7; i++) b.onExit(1_000);
    expect(b.onExit(599_999)).toBe(300_000);
    expect(b.onExit(600_000)).toBe(0);
    expect(b.onExit(0)).toBe(10_000);
  });

  it('keeps the doubling and the cap when the numbers are shrunk', () => {
    expect(backoffCurve(250, 1000, 6)).toEqual([0, 250, 500, 1000, 1000, 1000]);
  });

  it('prints delays as the kubelet does (Go durations)', () => {
    expect([10_000, 80_000, 300_000, 1_500, 250].map(formatGoDuration)).toEqual(['10s', '1m20s', '5m0s', '1.5s', '250ms']);
    expect(parseDuration('1m30s', 'x')).toBe(90_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(() => parseDuration('10 s', 'crashLoopBackOff.initialDelay')).toThrow(/crashLoopBackOff.initialDelay: invalid duration/);
  });
});

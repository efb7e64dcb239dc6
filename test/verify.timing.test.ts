// The shutdown timing's verdicts and words (src/verify/shutdownTiming.ts), on fixed times.
import { describe, expect, it } from 'vitest';
import type { TimelineRecord } from '../src/timeline/record.js';
import { endpointRemovalAt, shutdownTiming } from '../src/verify/shutdownTiming.js';

const S = 1_000_000;

describe('shutdown timing', () => {
  it('says the app stopped accepting before traffic moved', () => {
    const t = shutdownTiming('web', S, S + 650, [S - 5, S + 120, S + 300, S + 410]);
    expect(t).toMatchObject({ code: 'StoppedBeforeEndpointRemoval', endpointRemovedMs: 650, failedDuringShutdown: 3, firstFailureMs: 120, lastFailureMs: 410, beforeEndpointRemoval: 3, afterEndpointRemoval: 0 });
    expect(t.message).toBe('3 requests failed, 120–410 ms after the stop signal, all before the endpoint was removed at +650 ms: the app stopped accepting before traffic moved (add a preStop sleep)');
    expect(t.fix).toMatch(/preStop/);
  });

  it('tells failures after the removal (no endpoint left) and both sides apart', () => {
    expect(shutdownTiming('web', S, S - 1000, [S + 700]).message).toBe('1 request failed, 700 ms after the stop signal, after the endpoint was removed at -1000 ms (before the stop signal): the Service had no ready endpoint left to send them to');
    const both = shutdownTiming('web', S, S + 500, [S + 100, S + 900]);
    expect(both).toMatchObject({ code: 'FailedBothSides', beforeEndpointRemoval: 1, afterEndpointRemoval: 1 });
    expect(both.message).toContain('1 before the endpoint was removed at +500 ms');
    expect(shutdownTiming('web', S, undefined, [S + 10]).message).toContain('while the endpoint was still listed');
    expect(shutdownTiming('web', S, S + 5, [])).toMatchObject({ code: 'NoFailures', fix: null });
    // Behind a preStop sleep the endpoint goes first: failures from then on count, before the signal too.
    expect(shutdownTiming('web', S, S - 1000, [S - 2000, S - 900, S + 100])).toMatchObject({ failedDuringShutdown: 2, firstFailureMs: -900, lastFailureMs: 100, code: 'FailedAfterEndpointRemoval' });
    expect(shutdownTiming('web', S, S - 1000, [S - 900, S + 100]).message).toMatch(/^2 requests failed, -900 ms to \+100 ms from the stop signal, all after/);
  });

  it('reads the removal from the records: the first ready -> not ready after the delete, the latest pod', () => {
    const rec = (origin: number, leftAt: number): TimelineRecord => ({
      pod: { namespace: 'd', name: 'p' },
      origin,
      containers: [],
      end: 0,
      entries: [
        { t: 10, type: 'Normal', reason: 'EndpointChanged', message: '', endpoint: { service: 'web', state: { ready: true, serving: true, terminating: false } } },
        { t: 100, type: 'Normal', reason: 'DeleteRequested', message: '' },
        { t: leftAt, type: 'Normal', reason: 'EndpointChanged', message: '', endpoint: { service: 'web', state: { ready: false, serving: true, terminating: true } } },
        { t: leftAt + 50, type: 'Normal', reason: 'EndpointChanged', message: '', endpoint: { service: 'web', state: null } },
      ],
    });
    expect(endpointRemovalAt([rec(S, 700), rec(S, 900), undefined], 'web')).toBe(S + 900);
    expect(endpointRemovalAt([rec(S, 700)], 'other')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { humanDuration, shortHumanDuration, translateTimestampSince } from '../src/api/printers/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'], // up to 2 s of clock skew counts as now
    [-2 * s, '<invalid>'],
    [999, '0s'],
    [42 * s, '42s'],
    [119 * s + 999, '119s'], // seconds up to 2 minutes
    [2 * m, '2m'],
    [5 * m + 3 * s, '5m3s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'], // seconds dropped from 10 minutes on
    [179 * m, '179m'],
    [3 * h, '3h'],
    [7 * h + 5 * m, '7h5m'],
    [8 * h + 5 * m, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [2 * y - d, '729d'],
    [2 * y, '2y'],
    [2 * y + 13 * d, '2y13d'],
    [8 * y + 40 * d, '8y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [59 * s, '59s'],
    [60 * s, '1m'],
    [59 * m + 59 * s, '59m'],
    [23 * h, '23h'],
    [364 * d, '364d'],
    [3 * y, '3y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(shortHumanDuration(ms)).toBe(want);
  });
});

describe('translateTimestampSince', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it('prints <unknown> for a missing time', () => {
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
    expect(translateTimestampSince('', now)).toBe('<unknown>');
  });
  it('accepts RFC 3339 with and without fractions', () => {
    expect(translateTimestampSince('2024-05-01T11:59:18Z', now)).toBe('42s');
    expect(translateTimestampSince('2024-05-01T11:59:17.900123Z', now)).toBe('42s');
  });
});

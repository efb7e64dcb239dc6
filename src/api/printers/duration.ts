// Human-readable durations, exactly as apimachinery's util/duration prints them. kubectl's AGE,
// RESTARTS "(42s ago)", LAST SEEN and describe's event Age all go through HumanDuration, so the
// breakpoints below (2 min, 10 min, 3 h, 8 h, 48 h, 8 d, 2 y, 8 y) are what users see every day.
//
// Go works on integer nanoseconds and truncates toward zero (int(d.Seconds()), d / time.Minute);
// we take milliseconds and truncate the same way so that 119.9 s is still "119s".

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const trunc = (ms: number, unit: number): number => Math.trunc(ms / unit);

/** apimachinery ShortHumanDuration: one unit only ("42s", "5m", "3h", "2d", "1y"). */
export function shortHumanDuration(ms: number): string {
  const seconds = trunc(ms, SECOND);
  // A clock skew of up to 2 s (exclusive) between machines is treated as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = trunc(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = trunc(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** apimachinery HumanDuration: ~2-3 significant figures ("119s", "5m3s", "7h5m", "3d4h", "2y13d"). */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = trunc(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = trunc(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Parses an API timestamp (RFC 3339, with or without fractional seconds) to epoch ms. */
export function toMillis(ts: string | Date | number | null | undefined): number | undefined {
  if (ts === null || ts === undefined || ts === '') return undefined;
  const ms = ts instanceof Date ? ts.getTime() : typeof ts === 'number' ? ts : Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The printers' translateTimestampSince: "<unknown>" for a zero/missing time (Go's IsZero),
 * else HumanDuration(now - t).
 */
export function translateTimestampSince(ts: string | Date | number | null | undefined, now: number): string {
  const ms = toMillis(ts);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now - ms);
}

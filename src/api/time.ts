/** metav1.Time: RFC 3339 in whole seconds, as every timestamp of an API object is written. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime (events' eventTime): six fractional digits; tinylet's clock has milliseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The last instant metav1.Time can write: RFC 3339 has four-digit years (Go's Time.MarshalJSON refuses
 * years past 9999). JavaScript's Date reaches further (+275760, six digits, not RFC 3339) and beyond
 * that is an Invalid Date whose toISOString throws.
 */
export const MAX_API_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * `from` plus a user's count of seconds (a grace period of up to 2^63 s) as a timestamp the API can
 * write: a moment past year 9999 is written as the last second of 9999, which no clock reaches.
 */
export function rfc3339After(from: Date, seconds: number): string {
  const ms = from.getTime() + seconds * 1000;
  return rfc3339(new Date(Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_API_TIME_MS) : MAX_API_TIME_MS));
}

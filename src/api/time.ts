/** metav1.Time: RFC 3339 in whole seconds, as every timestamp of an API object is written. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime (events' eventTime): six fractional digits; tinylet's clock has milliseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

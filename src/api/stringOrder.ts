/**
 * Plain code-unit order for sorting keys and names. The API server lists in etcd's byte order, not
 * a locale's; and the first `localeCompare` of a process loads ICU's collation data (~7 ms here),
 * which a CLI start pays for nothing.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A bounded least-recently-used map, as github.com/golang/groupcache/lru behaves under client-go's
 * event correlator: get and add both make the key the most recent, and adding past the capacity
 * drops the least recent. A Map keeps insertion order, so the first key is the least recent.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  add(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Removes every entry `drop` selects (a scan: for rare clean-ups, not the hot path). */
  deleteWhere(drop: (value: V) => boolean): void {
    for (const [key, value] of this.entries) if (drop(value)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A fixed-capacity ring: append is O(1) and never allocates once full; the oldest entry is
 * overwritten. What a per-pod record needs so a crash-looping or long-probed pod stays bounded.
 */
export class Ring<T> {
  private readonly buf: T[] = [];
  private next = 0;
  /** Entries overwritten since the ring filled. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring capacity must be a positive integer, not ${capacity}`);
  }

  push(item: T): void {
    if (this.buf.length < this.capacity) {
      this.buf.push(item);
      return;
    }
    this.buf[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.dropped++;
  }

  get length(): number {
    return this.buf.length;
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.next === 0 ? this.buf.slice() : [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }
}

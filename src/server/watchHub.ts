import { EventEmitter } from 'node:events';
import type { ObjectMeta } from '../api/types.js';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface HubEvent<T> {
  type: WatchType;
  object: T;
  /** The object before this change (undefined for ADDED): lets selector watches turn a change into ADDED/DELETED. */
  previous?: T;
  rv: number;
}

type Meta = { metadata?: ObjectMeta };

/**
 * The watch cache of one resource: the last few thousand changes with their resourceVersions, so a
 * watch can resume from the resourceVersion of a list (or of its last event); older ones get 410 Gone.
 */
export class WatchHub<T extends Meta> extends EventEmitter {
  private readonly history: HubEvent<T>[] = [];
  private readonly last = new Map<string, T>();
  /** Changes at or below this resourceVersion are not in the history (before this agent started). */
  private floor: number;

  constructor(
    startRv: number,
    private readonly nextRv: () => string,
    private readonly capacity = 4096,
  ) {
    super();
    this.setMaxListeners(0);
    this.floor = startRv;
  }

  private static key(o: Meta): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  /** Objects already present before the hub saw any change (agent start). */
  seed(objects: readonly T[]): void {
    for (const o of objects) this.last.set(WatchHub.key(o), o);
  }

  publish(type: WatchType, object: T): void {
    const key = WatchHub.key(object);
    const previous = this.last.get(key);
    // An object the hub already holds cannot be added again: it changed. The event recorder announces
    // every event it writes the same way, and an aggregated one (the same Event, count + 1, a new
    // lastTimestamp) must reach watchers as MODIFIED, as the API server sends an update.
    if (type === 'ADDED' && previous !== undefined) type = 'MODIFIED';
    let rv = Number(object.metadata?.resourceVersion ?? 0);
    const newest = this.history.at(-1)?.rv ?? this.floor;
    if (!(rv > newest)) {
      // Two notifications of one object state (a forced delete right after its MODIFIED): give the
      // second its own version, so a watch resuming from the first still sees it.
      rv = Number(this.nextRv());
      object = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    }
    if (type === 'DELETED') this.last.delete(key);
    else this.last.set(key, object);
    const ev: HubEvent<T> = { type, object, previous, rv };
    this.history.push(ev);
    if (this.history.length > this.capacity) this.floor = this.history.splice(0, this.history.length - this.capacity).at(-1)!.rv;
    this.emit('change', ev);
  }

  /** Changes after `rv`, or undefined when they are no longer known (410 Gone). */
  since(rv: number): HubEvent<T>[] | undefined {
    if (rv < this.floor) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  get oldest(): number {
    return this.floor;
  }
}

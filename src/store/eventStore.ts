// The events ring on disk (<stateDir>/store/events.json), written atomically at most twice a second.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '../api/types.js';
import { writeFileAtomic } from './atomicWrite.js';
import { quarantine } from './quarantine.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** What the API's event handlers read of every event: without these, listing events would throw. */
const isEvent = (e: unknown): e is Event => isObj(e) && isObj(e.metadata) && isObj(e.involvedObject);

export class EventStore {
  private readonly path: string;
  private timer?: NodeJS.Timeout;

  /** Messages about an unreadable events file moved aside by load(). */
  readonly quarantined: string[] = [];

  constructor(
    private readonly stateDir: string,
    private readonly list: () => Event[],
    private readonly delayMs = 500,
  ) {
    this.path = join(stateDir, 'store', 'events.json');
  }

  /**
   * The previous run's events. A file that is not a list of events is quarantined (the ring starts
   * empty); single entries that are not events are dropped, the others kept.
   */
  load(): Event[] {
    if (!existsSync(this.path)) return [];
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      this.quarantined.push(quarantine(this.stateDir, this.path, (err as Error).message));
      return [];
    }
    if (!Array.isArray(value)) {
      this.quarantined.push(quarantine(this.stateDir, this.path, `not a list of events (${value === null ? 'null' : typeof value})`));
      return [];
    }
    const events = value.filter(isEvent);
    if (events.length < value.length) console.error(`tinylet agent: dropped ${value.length - events.length} malformed entries of store/events.json`);
    return events;
  }

  changed(): void {
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    writeFileAtomic(this.path, JSON.stringify(this.list()));
  }
}

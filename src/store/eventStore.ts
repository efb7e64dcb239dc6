// The events ring on disk (<stateDir>/store/events.json), written atomically at most twice a second.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '../api/types.js';
import { writeFileAtomic } from './atomicWrite.js';

export class EventStore {
  private readonly path: string;
  private timer?: NodeJS.Timeout;

  constructor(
    stateDir: string,
    private readonly list: () => Event[],
    private readonly delayMs = 500,
  ) {
    this.path = join(stateDir, 'store', 'events.json');
  }

  load(): Event[] {
    if (!existsSync(this.path)) return [];
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Event[];
    } catch {
      return [];
    }
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

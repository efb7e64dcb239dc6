// The resourceVersion clock survives restarts: a ceiling is persisted in blocks, and a new agent
// starts above it, so no version is ever handed out twice (clients resuming a watch stay correct).
// The ceiling file alone is not trusted: the clock also starts above every version still in the
// store (pods, events), so a corrupt or rolled-back file can never send it back.
import { existsSync, readFileSync } from 'node:fs';
import type { Event } from '../api/types.js';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicWrite.js';
import type { StoredPod } from './podStore.js';
import { quarantine } from './quarantine.js';

const BLOCK = 1000;

/** The highest resourceVersion found in the store; versions are decimal strings (opaque to clients). */
export function highestStoredVersion(pods: StoredPod[], events: Event[]): number {
  const versions = [...pods.map((s) => s.pod.metadata?.resourceVersion), ...events.map((e) => e.metadata?.resourceVersion)];
  return versions.reduce<number>((max, v) => (typeof v === 'string' && /^\d+$/.test(v) ? Math.max(max, Number(v)) : max), 0);
}

export class ResourceVersionCeiling {
  private readonly path: string;
  private ceiling: number;
  /** Messages about a corrupt ceiling file moved aside. */
  readonly quarantined: string[] = [];

  /** `highestStored`: see highestStoredVersion. */
  constructor(stateDir: string, highestStored = 0) {
    this.path = join(stateDir, 'store', 'resource-version');
    const saved = this.read(stateDir);
    if (saved !== undefined && saved > highestStored) {
      this.ceiling = saved;
    } else {
      // No usable ceiling, or one below a version the store holds (restored from a backup, or
      // corrupt): resume a block above the highest version seen, as the lost ceiling would have been.
      if (saved !== undefined) console.error(`tinylet agent: store/resource-version (${saved}) is below the stored version ${highestStored}; resuming at ${highestStored + BLOCK}`);
      this.ceiling = highestStored > 0 ? highestStored + BLOCK : 0;
    }
  }

  private read(stateDir: string): number | undefined {
    if (!existsSync(this.path)) return undefined;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      this.quarantined.push(quarantine(stateDir, this.path, (err as Error).message));
      return undefined;
    }
    if (/^\d{1,15}\n?$/.test(text)) return Number(text);
    this.quarantined.push(quarantine(stateDir, this.path, `not a resource version: ${JSON.stringify(text.slice(0, 40))}`));
    return undefined;
  }

  /** Where the clock resumes: above anything the previous run may have handed out. */
  get start(): number {
    return this.ceiling;
  }

  /** Called for every new version; persists the next block before it is used. */
  guard = (rv: number): void => {
    if (rv < this.ceiling) return;
    this.ceiling = rv + BLOCK;
    writeFileAtomic(this.path, `${this.ceiling}\n`);
  };
}

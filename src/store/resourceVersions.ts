// The resourceVersion clock survives restarts: a ceiling is persisted in blocks, and a new agent
// starts above it, so no version is ever handed out twice (clients resuming a watch stay correct).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicWrite.js';

const BLOCK = 1000;

export class ResourceVersionCeiling {
  private readonly path: string;
  private ceiling: number;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'store', 'resource-version');
    this.ceiling = existsSync(this.path) ? Number(readFileSync(this.path, 'utf8').trim()) || 0 : 0;
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

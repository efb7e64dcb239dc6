// Pods on disk: one JSON file per pod under <stateDir>/store/pods, rewritten atomically after each
// change (coalesced to one write per pod per tick), removed when the pod is deleted.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { writeFileAtomic } from './atomicWrite.js';

/** What a container needs to resume after an agent restart, beyond its status in the pod. */
export interface StoredContainer {
  /** Instances started so far (log files 0..instances-1). */
  instances: number;
  backoff: { nextDelayMs: number; lastDelayMs: number };
  /** When a container was waiting in CrashLoopBackOff: the epoch ms its back-off ends. */
  backoffUntil?: number;
  /** Host PID of the running instance and its start time (ticks), to recognise leftovers. */
  process?: { pid: number; startTime?: number };
}

export interface StoredPod {
  pod: Pod;
  containers: Record<string, StoredContainer>;
  /** The pause process holding the pod's namespaces, and its host-side veth. */
  sandbox?: { pid: number; startTime?: number; hostVeth?: string };
  savedAt: string;
}

export class PodStore {
  readonly dir: string;
  private readonly pending = new Map<string, () => StoredPod | undefined>();
  private scheduled = false;
  private frozen = false;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'store', 'pods');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(namespace: string, name: string): string {
    return join(this.dir, `${namespace}_${name}.json`);
  }

  /** Schedules a write; `snapshot` is called at write time, so a burst of changes costs one write. */
  save(namespace: string, name: string, snapshot: () => StoredPod | undefined): void {
    if (this.frozen) return;
    this.pending.set(`${namespace}/${name}`, snapshot);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  remove(namespace: string, name: string): void {
    if (this.frozen) return;
    this.pending.delete(`${namespace}/${name}`);
    rmSync(this.file(namespace, name), { force: true });
  }

  flush(): void {
    this.scheduled = false;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (const [key, snapshot] of batch) {
      const stored = snapshot();
      if (!stored) continue;
      const [ns, name] = key.split('/') as [string, string];
      writeFileAtomic(this.file(ns, name), JSON.stringify(stored));
    }
  }

  /** Stops recording changes (agent shutdown: the pods stopped now must come back at the next start). */
  freeze(): void {
    this.flush();
    this.frozen = true;
  }

  loadAll(): StoredPod[] {
    if (!existsSync(this.dir)) return [];
    const out: StoredPod[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json') || f.startsWith('.')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as StoredPod);
      } catch (err) {
        console.error(`tinylet: ignoring unreadable stored pod ${f}: ${(err as Error).message}`);
      }
    }
    return out;
  }
}

// Pods on disk: one JSON file per pod under <stateDir>/store/pods, rewritten atomically after each
// change (coalesced to one write per pod per tick), removed when the pod is deleted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerState, Pod } from '../api/types.js';
import { boundedName } from '../kubelet/diskNames.js';
import { writeFileAtomic } from './atomicWrite.js';
import { removeFileDurably } from './fsyncDir.js';
import { loadStoredPods, type LoadedPods } from './loadStoredPods.js';

/** What a container needs to resume after an agent restart, beyond its status in the pod. */
export interface StoredContainer {
  /** Instances started so far (log files 0..instances-1). */
  instances: number;
  backoff: { nextDelayMs: number; lastDelayMs: number };
  /** When a container was waiting in CrashLoopBackOff: the epoch ms its back-off ends. */
  backoffUntil?: number;
  /** Host PID of the running instance and its start time (ticks), to recognise leftovers. */
  process?: { pid: number; startTime?: number };
  /** How the running instance ended when a graceful agent stop stopped it (shown as its lastState). */
  stopped?: NonNullable<ContainerState['terminated']>;
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
  private readonly stateDir: string;
  private readonly pending = new Map<string, () => StoredPod | undefined>();
  private scheduled = false;
  private frozen = false;

  constructor(stateDir: string) {
    this.stateDir = stateDir;
    this.dir = join(stateDir, 'store', 'pods');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /**
   * The pod's file: `<namespace>_<name>.json`, or for names that would not fit a path component
   * (253-character pod names), a 100-character prefix and a hash (diskNames.ts).
   */
  file(namespace: string, name: string): string {
    return join(this.dir, `${boundedName(`${namespace}_${name}`, 100)}.json`);
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

  /** Removes the pod's file durably (unlink + fsync of the directory); throws when that fails. */
  remove(namespace: string, name: string): void {
    if (this.frozen) return;
    this.pending.delete(`${namespace}/${name}`);
    removeFileDurably(this.file(namespace, name));
  }

  /**
   * Writes pending changes: all of them (the coalesced tick), or with `only` one pod's, now (the API
   * makes a change durable before it answers; see persist.ts). A write that fails stays pending:
   * the tick logs it and tries again a second later, `only` throws so the request fails instead of
   * acknowledging what is not on disk. `only` on a frozen store throws ESHUTDOWN: nothing is
   * recorded any more.
   */
  flush(only?: { namespace: string; name: string }): void {
    if (only && this.frozen) throw Object.assign(new Error('the pod store is closed (agent shutting down)'), { code: 'ESHUTDOWN' });
    if (!only) this.scheduled = false;
    const keys = only ? [`${only.namespace}/${only.name}`].filter((k) => this.pending.has(k)) : [...this.pending.keys()];
    const failed: string[] = [];
    for (const key of keys) {
      const snapshot = this.pending.get(key)!;
      this.pending.delete(key);
      try {
        const stored = snapshot();
        if (!stored) continue;
        const [ns, name] = key.split('/') as [string, string];
        writeFileAtomic(this.file(ns, name), JSON.stringify(stored));
      } catch (err) {
        // A newer change (saved meanwhile) supersedes this one; otherwise retry this one.
        if (!this.pending.has(key)) this.pending.set(key, snapshot);
        if (only) throw err;
        failed.push(`${key}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    if (failed.length > 0) {
      console.error(`tinylet: could not store pods (retrying): ${failed.join('; ')}`);
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => this.flush(), 1000).unref();
      }
    }
  }

  /** Stops recording changes (agent shutdown: the pods stopped now must come back at the next start). */
  freeze(): void {
    this.flush();
    this.frozen = true;
  }

  /**
   * Every stored pod, for recovery at start. A file that is not a stored pod is quarantined, a file
   * under an earlier version's name is renamed to the current one (see loadStoredPods.ts).
   */
  loadAll(): LoadedPods {
    return loadStoredPods(this.stateDir, this.dir, (ns, name) => this.file(ns, name));
  }
}

// Pods on disk: one JSON file per pod under <stateDir>/store/pods, rewritten atomically after each
// change (coalesced to one write per pod per tick, written off the event loop), removed when the
// pod is deleted.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerState, Pod } from '../api/types.js';
import { boundedName } from '../kubelet/diskNames.js';
import { fsyncDirAsync, writeFileAtomic, writeTempDurably } from './atomicWrite.js';
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
  private readonly tmpDir: string;
  private readonly stateDir: string;
  private readonly pending = new Map<string, () => StoredPod | undefined>();
  private scheduled = false;
  private frozen = false;
  /**
   * Bumped by every write started and every removal: a background write renames its temp file
   * over the pod's file only if nothing newer happened to that file meanwhile.
   */
  private readonly generation = new Map<string, number>();
  /** Background writes under way, with their snapshot (freeze writes it again, synchronously). */
  private readonly inFlight = new Map<string, () => StoredPod | undefined>();

  constructor(stateDir: string) {
    this.stateDir = stateDir;
    this.dir = join(stateDir, 'store', 'pods');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Background writes' temp files live beside the pods' directory, so it only ever holds pod
    // files; what a crash left there is garbage (the agent's lock makes this store the only one).
    this.tmpDir = join(stateDir, 'store', 'pods.tmp');
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
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
    const key = `${namespace}/${name}`;
    this.pending.delete(key);
    this.bump(key);
    this.settle(key);
    removeFileDurably(this.file(namespace, name));
  }

  private bump(key: string): number {
    const g = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, g);
    return g;
  }

  /** A generation only matters while a background write of the pod is under way: forget it after. */
  private settle(key: string): void {
    if (!this.inFlight.has(key)) this.generation.delete(key);
  }

  /**
   * Writes pending changes. With `only`, that pod's now, synchronously: the API makes a change
   * durable before it answers (see persist.ts); it throws so the request fails instead of
   * acknowledging what is not on disk, and ESHUTDOWN on a frozen store. Without, the coalesced
   * tick: every pending pod in the background (the fsyncs of a burst of 100 pods would otherwise hold
   * the event loop for the better part of a second), one directory fsync for them all; a write that
   * fails stays pending, is logged and tried again a second later.
   */
  flush(only?: { namespace: string; name: string }): void {
    if (only) {
      if (this.frozen) throw Object.assign(new Error('the pod store is closed (agent shutting down)'), { code: 'ESHUTDOWN' });
      const key = `${only.namespace}/${only.name}`;
      const snapshot = this.pending.get(key);
      if (!snapshot) return;
      this.pending.delete(key);
      try {
        this.writeNow(key, snapshot);
      } catch (err) {
        // A newer change (saved meanwhile) supersedes this one; otherwise retry this one.
        if (!this.pending.has(key)) this.pending.set(key, snapshot);
        throw err;
      }
      return;
    }
    this.scheduled = false;
    const batch: Promise<string | undefined>[] = [];
    for (const [key, snapshot] of this.pending) {
      // One background write per pod at a time: the next waits for the tick after it.
      if (this.inFlight.has(key)) continue;
      this.pending.delete(key);
      batch.push(this.writeInBackground(key, snapshot));
    }
    if (batch.length === 0) return;
    void Promise.all(batch).then(async (results) => {
      const failed = results.filter((r): r is string => r !== undefined);
      if (results.length > failed.length) await fsyncDirAsync(this.dir).catch((err: unknown) => failed.push(`fsync ${this.dir}: ${(err as Error)?.message ?? String(err)}`));
      if (failed.length > 0) console.error(`tinylet: could not store pods (retrying): ${failed.join('; ')}`);
      if (this.pending.size > 0 && !this.scheduled && !this.frozen) {
        this.scheduled = true;
        if (failed.length > 0) setTimeout(() => this.flush(), 1000).unref();
        else setImmediate(() => this.flush());
      }
    });
  }

  private writeNow(key: string, snapshot: () => StoredPod | undefined): void {
    const stored = snapshot();
    if (!stored) return;
    this.bump(key);
    this.settle(key);
    const [ns, name] = key.split('/') as [string, string];
    writeFileAtomic(this.file(ns, name), JSON.stringify(stored));
  }

  /** The snapshot is taken now; the file is replaced later only if no newer write or removal came. Resolves to an error text, if any. */
  private async writeInBackground(key: string, snapshot: () => StoredPod | undefined): Promise<string | undefined> {
    let stored: StoredPod | undefined;
    try {
      stored = snapshot();
    } catch (err) {
      return `${key}: ${(err as Error)?.message ?? String(err)}`;
    }
    if (!stored) return undefined;
    const gen = this.bump(key);
    const [ns, name] = key.split('/') as [string, string];
    const path = this.file(ns, name);
    this.inFlight.set(key, snapshot);
    try {
      const tmp = await writeTempDurably(path, JSON.stringify(stored), { tmpDir: this.tmpDir });
      if (this.generation.get(key) === gen) renameSync(tmp, path);
      else rmSync(tmp, { force: true });
      return undefined;
    } catch (err) {
      if (!this.pending.has(key) && this.generation.get(key) === gen) this.pending.set(key, snapshot);
      return `${key}: ${(err as Error)?.message ?? String(err)}`;
    } finally {
      this.inFlight.delete(key);
      this.settle(key);
    }
  }

  /** Every pending change and every background write's, written now: the agent is stopping. */
  flushNow(): void {
    const all = new Map([...this.inFlight, ...this.pending]);
    this.pending.clear();
    const failed: string[] = [];
    for (const [key, snapshot] of all) {
      try {
        this.writeNow(key, snapshot);
      } catch (err) {
        failed.push(`${key}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    if (failed.length > 0) console.error(`tinylet: could not store pods: ${failed.join('; ')}`);
  }

  /** Stops recording changes (agent shutdown: the pods stopped now must come back at the next start). */
  freeze(): void {
    this.flushNow();
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

// What every controller of the agent needs, as client-go's workqueue gives kube-controller-manager's:
// keys (namespace/name) marked dirty are synced once per tick however often they were marked, a
// key can be synced again after a delay (a retry, a deadline), and one key's failure is logged and
// retried without reaching whoever marked it (a pod worker, a request).
export class WorkQueue {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly sync: (key: string) => void,
    /** Names a key in the error log: `endpoints of service default/web`. */
    private readonly describe: (key: string) => string,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.dirty.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Marks the key again after `ms` (at least 1); a later call for the key replaces an earlier one. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, Math.max(1, ms));
    t.unref();
    this.timers.set(key, t);
  }

  /** Syncs every marked key now (tests call it so as not to wait for the tick). */
  flush(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      try {
        this.sync(key);
      } catch (err) {
        // A full disk, say: retried in a second.
        console.error(`tinylet: ${this.describe(key)}: ${(err as Error)?.message ?? String(err)}`);
        this.addAfter(key, 1000);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.dirty.clear();
  }
}

/** The queue key of an object: `namespace/name`. */
export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace}/${o.metadata?.name}`;

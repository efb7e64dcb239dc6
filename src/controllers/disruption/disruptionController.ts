// The disruption controller of the agent (kube-controller-manager's pkg/controller/disruption): it
// watches the kubelet's pods and the PodDisruptionBudgets of the object store and keeps each PDB's
// status (expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods, the
// DisruptionAllowed condition) in line, writing only when something changed. The eviction
// subresource (server/eviction) reads that status and records its evictions in disruptedPods.
import type { Pod, PodDisruptionBudget } from '../../api/types.js';
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import type { PodSource } from '../endpoints/endpointsController.js';
import { podsForPdb } from './pdbPods.js';
import { syncPdbStatus } from './pdbStatus.js';

export const PDB_RESOURCE = 'poddisruptionbudgets';

export class DisruptionController {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly pods: PodSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** A pod changed: every PDB of its namespace may count it (before and after a label change). */
  private readonly onPod = (_type: string, pod: Pod) => {
    for (const pdb of this.store.list(PDB_RESOURCE, pod.metadata?.namespace)) this.mark(pdb);
  };

  start(): void {
    this.pods.on('pod', this.onPod);
    this.unsubscribe = this.store.onChange((c) => {
      if (c.resource === PDB_RESOURCE && c.type !== 'DELETED') this.mark(c.object);
    });
    for (const pdb of this.store.list(PDB_RESOURCE)) this.mark(pdb);
  }

  stop(): void {
    this.stopped = true;
    this.pods.off('pod', this.onPod);
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private mark(o: ApiObject): void {
    if (this.stopped) return;
    this.dirty.add(`${o.metadata?.namespace}/${o.metadata?.name}`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Recomputes every marked PDB now (tests call it so as not to wait for the tick). */
  flush(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      try {
        this.sync(key);
      } catch (err) {
        // One PDB's failure (a full disk) is retried, and never reaches the pod that changed.
        console.error(`tinylet: disruption budget ${key}: ${(err as Error)?.message ?? String(err)}`);
        this.later(key, 1000);
      }
    }
  }

  private later(key: string, ms: number): void {
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      this.timers.delete(key);
      const [namespace, name] = key.split('/');
      this.mark({ metadata: { namespace, name } });
    }, Math.max(1, ms));
    t.unref();
    this.timers.set(key, t);
  }

  private sync(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const pdb = this.store.get(PDB_RESOURCE, ns, name) as PodDisruptionBudget | undefined;
    if (!pdb) return;
    const now = this.now();
    const matched = podsForPdb(pdb, this.pods.listPods());
    const { status, recheckAt } = syncPdbStatus(pdb, matched, now);
    if (recheckAt !== undefined) this.later(key, recheckAt - now + 1);
    if (status) this.store.put(PDB_RESOURCE, { ...(pdb as unknown as ApiObject), status });
  }
}

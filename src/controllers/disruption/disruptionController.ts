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

import { keyOf, WorkQueue } from '../workQueue.js';

export const PDB_RESOURCE = 'poddisruptionbudgets';

export class DisruptionController {
  private readonly queue = new WorkQueue((key) => this.sync(key), (key) => `disruption budget ${key}`);
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly pods: PodSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** A pod changed: every PDB of its namespace may count it (before and after a label change). */
  private readonly onPod = (_type: string, pod: Pod) => {
    for (const pdb of this.store.list(PDB_RESOURCE, pod.metadata?.namespace)) this.queue.add(keyOf(pdb));
  };

  start(): void {
    this.pods.on('pod', this.onPod);
    this.unsubscribe = this.store.onChange((c) => {
      if (c.resource === PDB_RESOURCE && c.type !== 'DELETED') this.queue.add(keyOf(c.object));
    });
    for (const pdb of this.store.list(PDB_RESOURCE)) this.queue.add(keyOf(pdb));
  }

  stop(): void {
    this.queue.stop();
    this.pods.off('pod', this.onPod);
    this.unsubscribe?.();
  }

  /** Recomputes every marked PDB now (tests call it so as not to wait for the tick). */
  flush(): void {
    this.queue.flush();
  }

  private sync(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const pdb = this.store.get(PDB_RESOURCE, ns, name) as PodDisruptionBudget | undefined;
    if (!pdb) return;
    const now = this.now();
    const matched = podsForPdb(pdb, this.pods.listPods());
    const { status, recheckAt } = syncPdbStatus(pdb, matched, now);
    if (recheckAt !== undefined) this.queue.addAfter(key, recheckAt - now + 1);
    if (status) this.store.put(PDB_RESOURCE, { ...(pdb as unknown as ApiObject), status });
  }
}

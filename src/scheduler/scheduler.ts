// A small default-scheduler for the agent's one node. A pod created through the API is bound at
// once when it fits (kinds/pods.ts, prepareForCreate); one that does not stays Pending, unbound,
// and is tried again here, as the scheduler's queue does: when it is added (PodScheduled False,
// reason Unschedulable, and a Warning FailedScheduling event with the filters' message), and again
// whenever what the filters read of the node changes (spec, labels), a cordon undone or a taint
// removed binding it (pods/binding: spec.nodeName, PodScheduled True, the kubelet starts it).
// Heartbeats (status only) requeue nothing, as the scheduler's node update filter ignores them.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../api/types.js';
import type { Kubelet, WatchEventType } from '../kubelet/kubelet.js';
import type { ObjectChange, ObjectStore } from '../store/objectStore.js';
import { schedule } from './fit.js';
import { byCodeUnit } from '../api/stringOrder.js';

/** What of a node the filters read: a change of it requeues the unschedulable pods. */
const schedulingView = (n: Node) => JSON.stringify([n.spec ?? {}, n.metadata?.labels ?? {}, n.status?.allocatable ?? {}]);

export class Scheduler {
  private readonly unsubscribe: (() => void)[] = [];
  private views = new Map<string, string>();
  private queued = false;

  constructor(
    private readonly kubelet: Kubelet,
    private readonly store: ObjectStore,
  ) {}

  nodes(): Node[] {
    return this.store.list('nodes') as unknown as Node[];
  }

  start(): void {
    this.kubelet.schedulesPods = true;
    const onPod = (type: WatchEventType, pod: Pod) => {
      if (type === 'ADDED' && !pod.spec?.nodeName) this.requeue();
      // A bound pod that goes or finishes frees its requests: a pod waiting for them may fit now.
      else if (pod.spec?.nodeName && (type === 'DELETED' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) this.requeueIfPending();
    };
    this.kubelet.on('pod', onPod);
    this.unsubscribe.push(() => this.kubelet.off('pod', onPod));
    this.unsubscribe.push(this.store.onChange((c: ObjectChange) => this.nodeChanged(c)));
    for (const n of this.nodes()) this.views.set(n.metadata!.name!, schedulingView(n));
    this.requeue();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private nodeChanged(c: ObjectChange): void {
    if (c.resource !== 'nodes') return;
    const node = c.object as unknown as Node;
    const name = node.metadata!.name!;
    const view = c.type === 'DELETED' ? undefined : schedulingView(node);
    if (this.views.get(name) === view) return;
    if (view === undefined) this.views.delete(name);
    else this.views.set(name, view);
    this.requeue();
  }

  private requeueIfPending(): void {
    if (this.kubelet.listPods().some((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp)) this.requeue();
  }

  /** One pass over the pending pods, after the change that asked for it is done (a store write, a create). */
  private requeue(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.scheduleAll();
    });
  }

  /** Tries every unbound pod that is not being deleted, oldest first. */
  scheduleAll(): void {
    const pending = this.kubelet
      .listPods()
      .filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp)
      .sort((a, b) => byCodeUnit(a.metadata?.creationTimestamp ?? '', b.metadata?.creationTimestamp ?? ''));
    if (pending.length === 0) return;
    const nodes = this.nodes();
    for (const pod of pending) this.scheduleOne(pod, nodes);
  }

  private scheduleOne(pod: Pod, nodes: Node[]): void {
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    const worker = this.kubelet.getWorker(namespace, name);
    if (!worker || worker.bound) return;
    // Read again for each pod: the one bound just before it holds resources now.
    const verdict = schedule(worker.pod, nodes, this.kubelet.listPods());
    if ('node' in verdict) {
      this.kubelet.bindPod(namespace, name, verdict.node);
      return;
    }
    worker.unschedulable(verdict.message);
    this.kubelet.events.record(worker.pod, 'Warning', 'FailedScheduling', verdict.message);
  }
}

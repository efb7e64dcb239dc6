// The taint eviction controller (pkg/controller/tainteviction): a pod on a node with NoExecute
// taints it does not tolerate is deleted at once; one that tolerates them all is deleted after the
// shortest tolerationSeconds of the tolerations used (never, when none sets it), counted from when
// its eviction was first scheduled; a taint removed in time cancels it. The deletion is an ordinary
// graceful delete (the pod's own grace period), after the pod's DisruptionTarget condition
// (DeletionByTaintManager), announced by the event TaintManagerEviction
// "Marking for deletion Pod ns/name" (and "Cancelling deletion of Pod ns/name" when cancelled).
// Static pods are left alone: deleting their mirror would not stop them on a real node.
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Pod } from '../../api/types.js';
import type { Kubelet, WatchEventType } from '../../kubelet/kubelet.js';
import { markDisruptionTarget } from '../../kubelet/disruptionTarget.js';
import { toleratesTaint } from '../../scheduler/fit.js';
import type { ObjectChange, ObjectStore } from '../../store/objectStore.js';

/**
 * getMatchingTolerations + getMinTolerationTime: 'now' when a taint is not tolerated (or a used
 * toleration's seconds are <= 0), 'never' when no used toleration has tolerationSeconds, else the
 * shortest in ms. `taints` are the node's NoExecute taints (none: 'never').
 */
export function evictionDelay(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): 'now' | 'never' | number {
  if (taints.length === 0) return 'never';
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return 'now';
    used.push(t);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 'now';
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? 'never' : min * 1000;
}

const noExecuteTaints = (node: Node | undefined) => (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
const isStatic = (p: Pod) => p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;

interface Scheduled {
  uid: string;
  createdAt: number;
  timer: NodeJS.Timeout;
}

export class TaintManager {
  private readonly scheduled = new Map<string, Scheduled>();
  /** What processPod read of each pod last (handlePodUpdate's comparison). */
  private readonly seen = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly kubelet: Kubelet,
    private readonly store: ObjectStore,
  ) {}

  start(): void {
    const onPod = (type: WatchEventType, pod: Pod) => {
      const key = keyOf(pod);
      if (type === 'DELETED') {
        this.seen.delete(key);
        return this.cancel(key, false);
      }
      // handlePodUpdate looks again when what it reads changed: the binding, the tolerations, a deletion.
      const view = JSON.stringify([pod.metadata?.uid, pod.spec?.nodeName, pod.spec?.tolerations, !!pod.metadata?.deletionTimestamp]);
      if (this.seen.get(key) === view) return;
      this.seen.set(key, view);
      queueMicrotask(() => this.processPod(pod.metadata!.namespace!, pod.metadata!.name!));
    };
    this.kubelet.on('pod', onPod);
    this.unsubscribe.push(() => this.kubelet.off('pod', onPod));
    this.unsubscribe.push(
      this.store.onChange((c: ObjectChange) => {
        if (c.resource === 'nodes') queueMicrotask(() => this.processNode(c.object.metadata!.name!));
      }),
    );
    for (const n of this.store.list('nodes')) this.processNode(n.metadata!.name!);
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const s of this.scheduled.values()) clearTimeout(s.timer);
    this.scheduled.clear();
  }

  private node(name: string | undefined): Node | undefined {
    return name ? (this.store.get('nodes', undefined, name) as Node | undefined) : undefined;
  }

  /** handleNodeUpdate: every pod bound to the node, again. */
  processNode(name: string): void {
    for (const p of this.kubelet.listPods()) if (p.spec?.nodeName === name) this.processPod(p.metadata!.namespace!, p.metadata!.name!);
  }

  /** processPodOnNode. */
  processPod(namespace: string, name: string): void {
    const pod = this.kubelet.getWorker(namespace, name)?.pod;
    const key = `${namespace}/${name}`;
    if (!pod || pod.metadata?.deletionTimestamp || isStatic(pod) || !pod.spec?.nodeName) return this.cancel(key, false);
    const delay = evictionDelay(noExecuteTaints(this.node(pod.spec.nodeName)), pod.spec.tolerations);
    if (delay === 'never') return this.cancel(key, true);
    const now = Date.now();
    const existing = this.scheduled.get(key);
    if (existing && existing.uid === pod.metadata?.uid && delay !== 'now') {
      // An eviction already scheduled keeps its start; it only ever comes sooner.
      return;
    }
    this.cancel(key, false);
    const wait = delay === 'now' ? 0 : delay;
    const uid = pod.metadata!.uid!;
    const timer = setTimeout(() => this.evict(namespace, name, uid), wait).unref();
    this.scheduled.set(key, { uid, createdAt: now, timer });
  }

  private cancel(key: string, withEvent: boolean): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    this.scheduled.delete(key);
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.kubelet.getPod(namespace, name);
    if (withEvent && pod) this.kubelet.events.record(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private evict(namespace: string, name: string, uid: string): void {
    const key = `${namespace}/${name}`;
    this.scheduled.delete(key);
    const pod = this.kubelet.getPod(namespace, name);
    if (!pod || pod.metadata?.uid !== uid || pod.metadata.deletionTimestamp) return;
    this.kubelet.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    // addConditionAndDeletePod: DisruptionTarget (DeletionByTaintManager), then the graceful delete.
    const worker = this.kubelet.getWorker(namespace, name);
    if (worker) markDisruptionTarget(worker, 'taint');
    this.kubelet.deletePod(namespace, name);
  }
}

const keyOf = (p: Pod) => `${p.metadata!.namespace}/${p.metadata!.name}`;

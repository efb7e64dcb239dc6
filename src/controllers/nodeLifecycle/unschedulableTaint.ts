// The node lifecycle controller's TaintNodesByCondition for a cordon: a node with
// spec.unschedulable gets the taint node.kubernetes.io/unschedulable:NoSchedule (with its
// timeAdded), and loses it once uncordoned. Reconciled after every change of a node, outside the
// store's announcement of that change (so every watcher sees the cordon before the taint).
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../api/time.js';
import { TAINT_NODE_UNSCHEDULABLE } from '../../scheduler/fit.js';
import type { ApiObject, ObjectChange, ObjectStore } from '../../store/objectStore.js';

/** The node's taints as they should be, or undefined when they already are. */
export function reconcileUnschedulableTaint(node: Node, now: Date): Taint[] | undefined {
  const taints = node.spec?.taints ?? [];
  const has = taints.some((t) => t.key === TAINT_NODE_UNSCHEDULABLE && t.effect === 'NoSchedule');
  const want = node.spec?.unschedulable === true;
  if (has === want) return undefined;
  if (want) return [...taints, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule', timeAdded: rfc3339(now) }];
  return taints.filter((t) => !(t.key === TAINT_NODE_UNSCHEDULABLE && t.effect === 'NoSchedule'));
}

export class UnschedulableTaintController {
  private unsubscribe?: () => void;

  constructor(private readonly store: ObjectStore) {}

  start(): void {
    this.unsubscribe = this.store.onChange((c: ObjectChange) => {
      if (c.resource === 'nodes' && c.type !== 'DELETED') {
        const name = c.object.metadata!.name!;
        queueMicrotask(() => this.reconcile(name));
      }
    });
    for (const n of this.store.list('nodes')) this.reconcile(n.metadata!.name!);
  }

  stop(): void {
    this.unsubscribe?.();
  }

  reconcile(name: string): void {
    const node = this.store.get('nodes', undefined, name) as Node | undefined;
    if (!node) return;
    const taints = reconcileUnschedulableTaint(node, new Date());
    if (!taints) return;
    const { taints: _old, ...spec } = node.spec ?? {};
    try {
      this.store.put('nodes', { ...(node as ApiObject), spec: taints.length ? { ...spec, taints } : spec });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESHUTDOWN') console.error(`tinylet: node ${name}: could not update its taints: ${(err as Error).message}`);
    }
  }
}

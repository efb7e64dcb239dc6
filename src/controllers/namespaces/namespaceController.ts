// The namespace controller (pkg/controller/namespace): a namespace whose deletion has started
// (deletionTimestamp, phase Terminating) is emptied, its pods deleted gracefully with their own grace
// periods and every object of every namespaced kind of the object store deleted through its kind's
// registry (a Service gives back its cluster IP), pass after pass, its conditions saying what
// remains; once nothing does, the `kubernetes` finalizer goes and the namespace with it. The
// namespaces every cluster has are kept: kube-node-lease, which may be deleted, is made again.
import { rfc3339 } from '../../api/time.js';
import type { Pod } from '../../api/types.js';
import type { AgentConfig } from '../../kubelet/config.js';
import type { Kubelet } from '../../kubelet/kubelet.js';
import { isTerminating } from '../../server/registry/namespaceLifecycle.js';
import type { ApiRegistry } from '../../server/registry/apiRegistry.js';
import { BUILT_IN_NAMESPACES, KUBERNETES_FINALIZER } from '../../server/registry/kinds/namespaces.js';
import type { Strategy, StrategyContext } from '../../server/registry/strategy.js';
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import { terminatingConditions, type NamespaceCondition } from './namespaceConditions.js';

const groupResource = (s: Strategy) => `${s.resource}.${s.group}`;

export class NamespaceController {
  private unsubscribe?: () => void;
  private scheduled?: NodeJS.Immediate;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly store: ObjectStore,
    private readonly registry: ApiRegistry,
    private readonly kubelet: Kubelet,
    /** The resources of the object store (namespaces among them). */
    private readonly resources: readonly string[],
  ) {}

  private readonly onPod = (_type: string, pod: Pod) => {
    if (this.terminating(pod.metadata?.namespace)) this.schedule();
  };

  private terminating(ns: string | undefined): boolean {
    return !!ns && isTerminating(this.store.get('namespaces', undefined, ns));
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.store.onChange((c) => {
      if (c.resource === 'namespaces' || this.terminating(c.object.metadata?.namespace)) this.schedule();
    });
    this.kubelet.on('pod', this.onPod);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.kubelet.off('pod', this.onPod);
    if (this.scheduled) clearImmediate(this.scheduled);
    clearTimeout(this.retry);
  }

  /** One pass after the current change is done (changes come from inside the store's announcements). */
  schedule(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      try {
        this.sync();
      } catch (err) {
        // A store that refuses (shutting down, disk): try again a little later.
        if ((err as NodeJS.ErrnoException)?.code !== 'ESHUTDOWN') console.error(`tinylet: namespace controller: ${(err as Error)?.message ?? String(err)}`);
        clearTimeout(this.retry);
        if (!this.stopped) this.retry = setTimeout(() => this.schedule(), 1000);
      }
    });
  }

  /** Every terminating namespace one step further. */
  sync(): void {
    for (const ns of this.store.list('namespaces')) if (isTerminating(ns)) this.drain(ns);
  }

  private sctx(): StrategyContext {
    return { config: this.config, store: this.store };
  }

  /** The registry's strategies of the object store's namespaced resources. */
  private storedKinds(): Strategy[] {
    const gvs = [{ group: '', version: 'v1' }, ...this.registry.groups()];
    return gvs.flatMap((g) => this.registry.strategies(g.group, g.version)).filter((s) => s.namespaced && s.resource !== 'pods' && this.resources.includes(s.resource));
  }

  private drain(ns: ApiObject): void {
    const name = ns.metadata!.name!;
    const remaining = new Map<string, number>();
    // Pods: graceful deletes with each pod's own grace period; they count until the kubelet is done.
    const pods = this.kubelet.listPods().filter((p) => p.metadata?.namespace === name);
    for (const p of pods) if (!p.metadata?.deletionTimestamp) this.kubelet.deletePod(name, p.metadata!.name!);
    const left = this.kubelet.listPods().filter((p) => p.metadata?.namespace === name).length;
    if (left > 0) remaining.set('pods.', left);
    // Everything else goes at once, through its kind's storage (and what it held given back).
    const sctx = this.sctx();
    for (const s of this.storedKinds()) {
      const storage = this.registry.lookup(s.group, s.version, s.resource)!.storage(sctx);
      for (const o of storage.list(name)) {
        const gone = storage.delete(o, { dryRun: false });
        if (gone) s.release?.(gone, undefined, sctx);
      }
      const still = storage.list(name).length;
      if (still > 0) remaining.set(groupResource(s), still);
    }
    const current = this.store.get('namespaces', undefined, name) ?? ns;
    if (remaining.size > 0) return this.writeConditions(current, remaining);
    this.finish(current);
  }

  private writeConditions(ns: ApiObject, remaining: ReadonlyMap<string, number>): void {
    const status = (ns.status ?? {}) as { phase?: string; conditions?: NamespaceCondition[] };
    const conditions = terminatingConditions(remaining, status.conditions ?? [], rfc3339(new Date()));
    if (JSON.stringify(conditions) === JSON.stringify(status.conditions ?? [])) return;
    this.store.put('namespaces', { ...ns, status: { ...status, phase: 'Terminating', conditions } });
  }

  /** Empty: the finalizer goes (namespaces/finalize), then the namespace; a built-in one comes back. */
  private finish(ns: ApiObject): void {
    const name = ns.metadata!.name!;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
    const status = (ns.status ?? {}) as { conditions?: NamespaceCondition[] };
    const conditions = terminatingConditions(new Map(), status.conditions ?? [], rfc3339(new Date()));
    this.store.put('namespaces', { ...ns, spec: { ...spec, finalizers }, status: { ...status, phase: 'Terminating', conditions } });
    // Another finalizer (someone else's) keeps it until that one is removed.
    if (finalizers.length > 0) return;
    this.store.remove('namespaces', undefined, name);
    if ((BUILT_IN_NAMESPACES as readonly string[]).includes(name)) ensureNamespace(this.registry, this.sctx(), name);
  }
}

/** Creates the namespace, defaulted as a create through the API would, unless it exists (even terminating). */
export function ensureNamespace(registry: ApiRegistry, sctx: StrategyContext, name: string): ApiObject | undefined {
  if (sctx.store.get('namespaces', undefined, name)) return undefined;
  return registry.lookup('', 'v1', 'namespaces')!.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, sctx);
}

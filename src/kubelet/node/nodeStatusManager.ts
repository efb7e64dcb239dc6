// The kubelet's side of its Node (pkg/kubelet/kubelet_node_status.go and nodelease): it registers
// the node at start (or takes over the one a previous run left, keeping its spec: a cordon
// survives a restart), posts the status every nodeStatusUpdateFrequency (conditions with a new
// lastHeartbeatTime, images; the rest only when it changed), renews its Lease in kube-node-lease
// every 10 s (a quarter of its 40 s duration), and records the node events a kubelet records:
// Starting, the conditions' NodeHasSufficientMemory... NodeReady, NodeAllocatableEnforced, and
// NodeNotSchedulable / NodeSchedulable when the node is cordoned or uncordoned. Writes go to the
// object store as they would go to the API server (nodes/status, leases), never over the spec.
import { randomUUID } from 'node:crypto';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { microTime, rfc3339 } from '../../api/time.js';
import type { ApiObject, ObjectChange, ObjectStore } from '../../store/objectStore.js';
import type { Kubelet } from '../kubelet.js';
import { nodeConditions, pressureOf } from './nodeConditions.js';
import { diskFree, memoryAvailable, nodeCapacity, nodeImages, nodeLabels, systemInfo } from './nodeInfo.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;
/** renewInterval: a quarter of the lease's duration. */
export const NODE_LEASE_RENEW_INTERVAL_MS = 10_000;

export class NodeStatusManager {
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private unschedulable?: boolean;
  private firstStatus = true;

  constructor(
    private readonly kubelet: Kubelet,
    private readonly store: ObjectStore,
    /** Creates an object through its kind's strategy (defaulting, validation, uid), as the API would. */
    private readonly create: (resource: 'nodes', obj: ApiObject) => ApiObject,
  ) {}

  get nodeName(): string {
    return this.kubelet.config.nodeName;
  }

  /** The Node as an event's involved object: the kubelet names its node by its name, as uid too. */
  private get ref() {
    return { kind: 'Node', apiVersion: 'v1', name: this.nodeName, uid: this.nodeName };
  }

  private nodeEvent(reason: string, message = `Node ${this.nodeName} status is now: ${reason}`): void {
    this.kubelet.events.recordFor(this.ref, 'default', 'Normal', reason, message);
  }

  node(): Node | undefined {
    return this.store.get('nodes', undefined, this.nodeName) as Node | undefined;
  }

  start(): void {
    this.nodeEvent('Starting', 'Starting kubelet.');
    this.register();
    this.nodeEvent('NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    this.renewLease();
    const every = this.kubelet.config.nodeStatusUpdateFrequencyMs;
    const guarded = (what: string, f: () => void) => () => {
      try {
        f();
      } catch (err) {
        // The store is closed (the agent stopping) or the disk refused: the next beat tries again.
        if ((err as NodeJS.ErrnoException).code !== 'ESHUTDOWN') console.error(`tinylet: ${what}: ${(err as Error).message}`);
      }
    };
    this.timers.push(setInterval(guarded('node status update', () => this.updateStatus()), every).unref());
    this.timers.push(setInterval(guarded('node lease renewal', () => this.renewLease()), Math.min(every, NODE_LEASE_RENEW_INTERVAL_MS)).unref());
    this.unschedulable = this.node()?.spec?.unschedulable === true;
    this.unsubscribe = this.store.onChange((c: ObjectChange) => this.nodeChanged(c));
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.unsubscribe?.();
  }

  /** registerWithAPIServer: the node created, or the existing one's labels reconciled; then its status. */
  private register(): void {
    const existing = this.node();
    if (!existing) {
      const spec = { podCIDR: this.kubelet.config.podCIDR, podCIDRs: [this.kubelet.config.podCIDR] };
      const created = this.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, labels: nodeLabels(this.nodeName) }, spec });
      this.kubelet.events.recordFor({ ...this.ref, uid: created.metadata!.uid! }, 'default', 'Normal', 'RegisteredNode', `Node ${this.nodeName} event: Registered Node ${this.nodeName} in Controller`);
    } else {
      const labels = { ...existing.metadata?.labels, ...nodeLabels(this.nodeName) };
      this.store.put('nodes', { ...(existing as ApiObject), metadata: { ...existing.metadata, labels } });
    }
    this.updateStatus();
  }

  /** One status post: the full status (cheap to build), over the stored node's; spec and metadata untouched. */
  updateStatus(): void {
    const node = this.node();
    if (!node) return this.register();
    const now = rfc3339(new Date());
    const { stateDir } = this.kubelet.config;
    const { conditions, events } = nodeConditions(node.status?.conditions, pressureOf(memoryAvailable(), diskFree(stateDir)), now, this.firstStatus);
    this.firstStatus = false;
    const capacity = nodeCapacity(stateDir);
    const status: Node['status'] = {
      capacity,
      allocatable: { ...capacity },
      conditions,
      addresses: [
        { type: 'InternalIP', address: this.kubelet.hostIP },
        { type: 'Hostname', address: this.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: systemInfo(),
      images: nodeImages(this.kubelet.images.store),
    };
    this.store.put('nodes', { ...(node as ApiObject), status });
    for (const e of events) this.nodeEvent(e);
  }

  /** The node lease: created with an owner reference to the Node, then only renewTime moves. */
  renewLease(): void {
    const node = this.node();
    const now = microTime(new Date());
    const existing = this.store.get('leases', NODE_LEASE_NAMESPACE, this.nodeName) as Lease | undefined;
    const spec: Lease['spec'] = { ...existing?.spec, holderIdentity: this.nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: now };
    if (existing) {
      this.store.put('leases', { ...(existing as ApiObject), spec });
      return;
    }
    const ownerReferences = node ? [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata!.uid! }] : undefined;
    this.store.put('leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE, uid: randomUUID(), creationTimestamp: rfc3339(new Date()), ...(ownerReferences ? { ownerReferences } : {}) },
      spec,
    });
  }

  /** A cordon or uncordon, as the kubelet notices it: NodeNotSchedulable / NodeSchedulable. */
  private nodeChanged(c: ObjectChange): void {
    if (c.resource !== 'nodes' || c.type === 'DELETED' || c.object.metadata?.name !== this.nodeName) return;
    const unschedulable = (c.object as Node).spec?.unschedulable === true;
    if (unschedulable === this.unschedulable) return;
    this.unschedulable = unschedulable;
    this.nodeEvent(unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable');
  }
}

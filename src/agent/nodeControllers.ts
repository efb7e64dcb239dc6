// The agent's node and what acts on it, as a cluster has them: the kubelet's Node registration,
// status and lease (kubelet/node/), the scheduler for pods that did not fit when created
// (scheduler/), and the node lifecycle controller's cordon taint and NoExecute evictions
// (controllers/nodeLifecycle/). Started before pods are recovered, so a recovered pod is scheduled
// against the node as it was left; stopped before the object store closes.
import { TaintManager } from '../controllers/nodeLifecycle/taintManager.js';
import { UnschedulableTaintController } from '../controllers/nodeLifecycle/unschedulableTaint.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { NodeStatusManager } from '../kubelet/node/nodeStatusManager.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { ApiRegistry } from '../server/registry/apiRegistry.js';
import type { ObjectStore } from '../store/objectStore.js';

export class NodeControllers {
  readonly status: NodeStatusManager;
  readonly scheduler: Scheduler;
  readonly unschedulableTaint: UnschedulableTaintController;
  readonly taintManager: TaintManager;

  constructor(kubelet: Kubelet, store: ObjectStore, registry: ApiRegistry) {
    this.status = new NodeStatusManager(kubelet, store, (resource, obj) => {
      const r = registry.lookup('', 'v1', resource)!;
      return r.createObject(r.fromManifest(obj, ''), { config: kubelet.config, store });
    });
    this.scheduler = new Scheduler(kubelet, store);
    this.unschedulableTaint = new UnschedulableTaintController(store);
    this.taintManager = new TaintManager(kubelet, store);
  }

  start(): void {
    this.status.start();
    this.unschedulableTaint.start();
    this.scheduler.start();
    this.taintManager.start();
  }

  stop(): void {
    this.taintManager.stop();
    this.scheduler.stop();
    this.unschedulableTaint.stop();
    this.status.stop();
  }
}

import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Pod } from '../api/types.js';
import { ImageCatalog } from '../runtime/images/catalog.js';
import { ImageStore } from '../runtime/images/imageStore.js';
import { ImageManager } from './images/imageManager.js';
import type { LogLine } from '../runtime/logs/criFormat.js';
import { NetworkManager } from '../runtime/network/manager.js';
import { processSpawner } from '../runtime/spawner.js';
import { imageStoreDir, type AgentConfig } from './config.js';
import type { ContainerRecord } from './containerRecord.js';
import { EventRecorder } from './events.js';
import { EvictionManager } from './eviction/manager.js';
import type { KubeletContext } from './kubeletContext.js';
import type { PodObjectSource } from './podObjects.js';
import { PodObjectRelay } from './podObjectsRelay.js';
import { PodWorker } from './podWorker.js';
import { applyPodUpdate } from './podUpdate.js';
import { rfc3339 } from '../api/time.js';
import { PodTimelines } from './timeline/podTimelines.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class AlreadyExistsError extends Error {}

function primaryHostIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * The node agent: one PodWorker per pod, a resourceVersion clock, and change notifications for
 * watchers ('pod' events: type, pod) and the log stream ('log' events).
 */
export class Kubelet extends EventEmitter implements KubeletContext {
  readonly events: EventRecorder;
  readonly images: ImageManager;
  readonly network: NetworkManager;
  /** Pods over their ephemeral-storage limits are evicted (measured every evictionMonitoringPeriod). */
  readonly eviction: EvictionManager;
  readonly hostIP = primaryHostIP();
  /** Each pod's timeline record (GET .../pods/{name}/timeline, tinylet run --timeline). */
  readonly timelines = new PodTimelines();
  /** Set by the agent, which runs the scheduler: pods without spec.nodeName wait to be bound (bindPod). */
  schedulesPods = false;
  /** Set by the agent once its cluster DNS listens: pods' resolv.conf names it (ClusterFirst). */
  clusterDNS?: string;
  private readonly workers = new Map<string, PodWorker>();
  /** Workers still stopping after their API object is gone (forced deletion). */
  private readonly orphans = new Set<PodWorker>();
  private rv = 0;
  private readonly objectRelay = new PodObjectRelay();

  /**
   * The ConfigMaps, Secrets and tokens pods consume: reads go to the source last set (NO_POD_OBJECTS
   * until the agent sets its API's object store), and pod workers' subscriptions survive a change of
   * source (podObjectsRelay.ts). Reading it gives the relay, which delegates to that source.
   */
  get objects(): PodObjectSource {
    return this.objectRelay;
  }

  set objects(source: PodObjectSource) {
    this.objectRelay.use(source instanceof PodObjectRelay ? source.source : source);
  }

  constructor(readonly config: AgentConfig) {
    super();
    this.setMaxListeners(0);
    this.events = new EventRecorder(config.nodeName, 5000, () => this.nextResourceVersion());
    this.images = new ImageManager({
      catalog: new ImageCatalog(config.images),
      store: new ImageStore(imageStoreDir(config)),
      registry: config.registries,
      builtinImages: config.builtinImages,
      serializeImagePulls: config.serializeImagePulls,
    });
    this.network = new NetworkManager(config.bridgeName, config.podCIDR, config.podNetwork, config.randomPodIPs, config.podHostAccess, config.serviceCIDR);
    this.eviction = new EvictionManager(config.stateDir, config.evictionMonitoringPeriodMs, () => [...this.workers.values()]);
    this.eviction.start();
    // The process that forks every sandbox and launcher (spawner.ts), started now rather than on the
    // first pod's start path; shared by every Kubelet of the process, started again if it dies.
    processSpawner();
    this.timelines.attach(this);
  }

  nextResourceVersion(): string {
    ++this.rv;
    this.rvGuard?.(this.rv);
    return String(this.rv);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Starts a pod from a defaulted, validated object. */
  createPod(pod: Pod): Pod {
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    if (this.workers.has(key) || this.restored.has(key)) throw new AlreadyExistsError(`pods "${pod.metadata!.name}" already exists`);
    const worker = new PodWorker({ ...pod, metadata: { ...pod.metadata, resourceVersion: this.nextResourceVersion() } }, this);
    this.workers.set(key, worker);
    this.emit('pod', 'ADDED', worker.pod);
    void worker.done.then(() => this.finished(worker));
    return worker.pod;
  }

  private finished(worker: PodWorker): void {
    this.orphans.delete(worker);
    if (worker.deleting && this.workers.get(worker.key) === worker) {
      this.workers.delete(worker.key);
      worker.pod = { ...worker.pod, metadata: { ...worker.pod.metadata, resourceVersion: this.nextResourceVersion() } };
      this.emit('pod', 'DELETED', worker.pod);
    }
    if (worker.deleting) this.events.forgetPod(worker.pod.metadata?.uid);
    this.emit('podFinished', worker);
  }

  changed(worker: PodWorker): void {
    if (this.workers.get(worker.key) !== worker) return;
    worker.pod = { ...worker.pod, metadata: { ...worker.pod.metadata, resourceVersion: this.nextResourceVersion() } };
    this.emit('pod', 'MODIFIED', worker.pod);
  }

  hasSuccessor(worker: PodWorker): boolean {
    const current = this.workers.get(worker.key);
    return current !== undefined && current !== worker && current.pod.metadata?.uid === worker.pod.metadata?.uid;
  }

  logLine(worker: PodWorker, record: ContainerRecord, line: Omit<LogLine, 'timestamp'>): void {
    this.emit('log', worker, record, line);
  }

  /** Synchronous 'beforeStopSignal' (worker, record, pid) listeners run before the stop signal is sent (tinylet verify). */
  beforeStopSignal(worker: PodWorker, record: ContainerRecord, pid: number): void {
    this.emit('beforeStopSignal', worker, record, pid);
  }

  getWorker(namespace: string, name: string): PodWorker | undefined {
    return this.workers.get(`${namespace}/${name}`);
  }

  getPod(namespace: string, name: string): Pod | undefined {
    return this.getWorker(namespace, name)?.pod ?? this.restored.get(`${namespace}/${name}`);
  }

  listPods(): Pod[] {
    return [...[...this.workers.values()].map((w) => w.pod), ...this.restored.values()];
  }

  /** The scheduler's binding of a pending pod to a node; the pod as it now is, undefined when there is none. */
  bindPod(namespace: string, name: string, nodeName: string): Pod | undefined {
    const worker = this.getWorker(namespace, name);
    worker?.bind(nodeName);
    return worker?.pod;
  }

  /**
   * Graceful delete; with force the object leaves the API at once while the node still stops the
   * containers (SEMANTICS §5). Returns the pod as it was at the request.
   */
  deletePod(namespace: string, name: string, opts: { gracePeriodSeconds?: number; force?: boolean } = {}): Pod | undefined {
    const worker = this.getWorker(namespace, name);
    if (!worker) return this.deleteRestoredPod(namespace, name);
    worker.requestDeletion(opts.gracePeriodSeconds, opts.force);
    if (worker.finished) {
      this.finished(worker);
    } else if (opts.force || opts.gracePeriodSeconds === 0) {
      this.workers.delete(worker.key);
      this.orphans.add(worker);
      this.emit('pod', 'DELETED', worker.pod);
    }
    return worker.pod;
  }

  /** Deletes every pod gracefully and waits until all sandboxes are gone. */
  async shutdown(opts: { gracePeriodSeconds?: number } = {}): Promise<void> {
    this.eviction.stop();
    const all = [...this.workers.values(), ...this.orphans];
    for (const w of all) {
      if (!w.deleting) this.deletePod(w.pod.metadata!.namespace!, w.pod.metadata!.name!, opts);
      // A deletion already under way with a longer grace (even 2^63 s) is brought forward to this one.
      else if (opts.gracePeriodSeconds !== undefined) w.requestDeletion(opts.gracePeriodSeconds);
    }
    await Promise.all(all.map((w) => w.done));
  }

  /** Waits for every pod worker, including force-deleted ones, to finish (tests, shutdown). */
  async drained(): Promise<void> {
    await Promise.all([...this.workers.values(), ...this.orphans].map((w) => w.done));
  }

  // ---- Agent persistence and API updates (src/store, src/server). Kept apart from the pod life
  // cycle above: pods restored from the store in a terminal phase, resuming the resourceVersion
  // clock after a restart, and updates of a pod's mutable fields.

  private readonly restored = new Map<string, Pod>();
  private rvGuard?: (rv: number) => void;

  /** Continues the resourceVersion clock of a previous run; `guard` sees every new version (to persist a ceiling). */
  resumeResourceVersion(from: number, guard?: (rv: number) => void): void {
    if (from > this.rv) this.rv = from;
    this.rvGuard = guard;
  }

  /**
   * A pod that had already ended (Succeeded/Failed) when the previous agent stopped: it is listed
   * with its final status, as a node keeps a finished pod, and never runs again.
   */
  restorePod(pod: Pod): Pod {
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    if (this.workers.has(key) || this.restored.has(key)) throw new AlreadyExistsError(`pods "${pod.metadata!.name}" already exists`);
    const restored = { ...pod, metadata: { ...pod.metadata, resourceVersion: this.nextResourceVersion() } };
    this.restored.set(key, restored);
    this.emit('pod', 'ADDED', restored);
    return restored;
  }

  private deleteRestoredPod(namespace: string, name: string): Pod | undefined {
    const key = `${namespace}/${name}`;
    const pod = this.restored.get(key);
    if (!pod) return undefined;
    this.restored.delete(key);
    const gone = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: rfc3339(new Date()), deletionGracePeriodSeconds: 0, resourceVersion: this.nextResourceVersion() } };
    this.emit('pod', 'DELETED', gone);
    return gone;
  }

  /**
   * Applies an update already validated by the API (labels, annotations, container images,
   * activeDeadlineSeconds, tolerations); a container whose image changed is restarted.
   */
  updatePod(namespace: string, name: string, next: Pod): Pod | undefined {
    const worker = this.getWorker(namespace, name);
    if (worker) {
      applyPodUpdate(worker, next);
      return worker.pod;
    }
    const key = `${namespace}/${name}`;
    const pod = this.restored.get(key);
    if (!pod) return undefined;
    const updated = { ...pod, metadata: { ...pod.metadata, labels: next.metadata?.labels, annotations: next.metadata?.annotations, managedFields: next.metadata?.managedFields, resourceVersion: this.nextResourceVersion() } };
    this.restored.set(key, updated);
    this.emit('pod', 'MODIFIED', updated);
    return updated;
  }
}

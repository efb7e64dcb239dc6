// `tinylet agent`: the kubelet, its store and recovery, the static pod source and the API server,
// put together. Also used in-process by the tests.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Pod } from '../api/types.js';
import type { AgentConfig } from '../kubelet/config.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { podDir } from '../kubelet/podPaths.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import type { EventChange } from '../kubelet/events.js';
import { StaticPodSource } from '../kubelet/staticPods.js';
import { ApiServer } from '../server/apiServer.js';
import { loadOrCreateToken } from '../server/auth.js';
import { inClusterNames, loadOrCreateCert } from '../server/tls.js';
import { ServiceAccountTokens } from '../server/serviceAccountTokens.js';
import { WatchHub } from '../server/watchHub.js';
import { EventStore } from '../store/eventStore.js';
import { persistChanges, type Persistence } from '../store/persist.js';
import { Heartbeat } from '../store/heartbeat.js';
import { PodStore } from '../store/podStore.js';
import { loadObjects, type ObjectStore } from '../store/objectStore.js';
import { STORED_RESOURCES, type ApiRegistry } from '../server/registry/apiRegistry.js';
import { emptyRecoveryReport, recoverPods, type RecoveryInput, type RecoveryReport } from '../store/recovery.js';
import { highestStoredVersion, ResourceVersionCeiling } from '../store/resourceVersions.js';
import { prepareStoppedStates } from '../store/stoppedStates.js';
import { StateDirLock } from './stateDirLock.js';
import { ObjectWorld } from './objectWorld.js';
import { NodeControllers } from './nodeControllers.js';

export class Agent {
  readonly kubelet: Kubelet;
  readonly token: string;
  readonly server: ApiServer;
  readonly podStore: PodStore;
  readonly eventStore: EventStore;
  /** Services, Endpoints, EndpointSlices, ConfigMaps, Secrets. */
  readonly objects: ObjectStore;
  readonly registry: ApiRegistry;
  /** The objects besides pods and events, their controllers, kube-proxy and cluster DNS. */
  readonly world: ObjectWorld;
  /** The Node and its lease, the scheduler, the node lifecycle controller (cordon taint, NoExecute evictions). */
  readonly node: NodeControllers;
  recovery: RecoveryReport = emptyRecoveryReport();
  private readonly recoveryInput: RecoveryInput;
  private readonly heartbeat: Heartbeat;
  private staticPods?: StaticPodSource;
  private persistence?: Persistence;
  private stopping = false;

  private constructor(
    readonly config: AgentConfig,
    private readonly lock: StateDirLock,
  ) {
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    this.kubelet = new Kubelet(config);
    this.podStore = new PodStore(config.stateDir);
    this.eventStore = new EventStore(config.stateDir, () => this.kubelet.events.list());
    this.heartbeat = new Heartbeat(config.stateDir);
    // The store is read once, before anything is written: recovery works on what was loaded (bad
    // files quarantined), and the clock resumes above every version found in it.
    const loaded = this.podStore.loadAll();
    const storedEvents = this.eventStore.load();
    const storedObjects = loadObjects(config.stateDir, STORED_RESOURCES);
    const ceiling = new ResourceVersionCeiling(config.stateDir, Math.max(highestStoredVersion(loaded.pods, storedEvents), storedObjects.highestVersion));
    this.kubelet.resumeResourceVersion(ceiling.start, ceiling.guard);
    this.kubelet.events.load(storedEvents);
    this.recoveryInput = { loaded, quarantined: [...this.eventStore.quarantined, ...storedObjects.quarantined, ...ceiling.quarantined], diedAt: this.heartbeat.previous };
    this.token = loadOrCreateToken(join(config.stateDir, 'token'));
    const nextRv = () => this.kubelet.nextResourceVersion();
    const pods = new WatchHub<Pod>(Number(this.kubelet.resourceVersion), nextRv);
    const events = new WatchHub<Event>(Number(this.kubelet.resourceVersion), nextRv);
    // Pods get tokens and a ca.crt for the TCP API only when there is one (the socket needs neither).
    const tls = config.apiPort !== null ? loadOrCreateCert(config.stateDir, config.apiAddress, inClusterNames(config)) : undefined;
    const serviceAccounts = tls ? ServiceAccountTokens.forAgent(config.stateDir, config.clusterDomain, (ns, name) => this.kubelet.getPod(ns, name)) : undefined;
    const podApi = serviceAccounts && { serviceAccountToken: serviceAccounts.issue.bind(serviceAccounts), caCertificate: () => tls!.cert };
    this.world = new ObjectWorld(config, this.kubelet, storedObjects, () => this.server.podAddress ?? this.server.tcpAddress, { podApi });
    this.objects = this.world.objects;
    this.registry = this.world.registry;
    this.node = new NodeControllers(this.kubelet, this.objects, this.registry);
    this.kubelet.on('pod', (type, pod: Pod) => pods.publish(type, pod));
    // A repeated event updates its object (count, lastTimestamp): watchers see it MODIFIED.
    this.kubelet.events.on('event', (e: Event, change: EventChange) => events.publish(change, e));
    this.server = new ApiServer({
      kubelet: this.kubelet,
      config,
      pods,
      events,
      objects: this.objects,
      registry: this.registry,
      token: this.token,
      serviceAccounts,
      tls,
      tcpAddress: () => this.server.tcpAddress,
      commitPod: (namespace, name) => {
        if (!this.persistence) throw Object.assign(new Error('the pod store is not open'), { code: 'ESHUTDOWN' });
        this.persistence.commit(namespace, name);
      },
    });
    // A deleted pod's directory (logs, emptyDirs) goes once its worker is done, as the kubelet's pod GC does.
    this.kubelet.on('podFinished', (w: PodWorker) => {
      try {
        // A static pod force-deleted comes back under the same uid, so in the same directory: the
        // new instance's files stay when the old worker finishes after it started.
        if (w.deleting && !this.stopping && !this.kubelet.hasSuccessor(w)) rmSync(podDir(config.stateDir, w.pod), { recursive: true, force: true });
      } catch (err) {
        console.error(`tinylet: could not remove the directory of pod ${w.key}: ${(err as Error).message}`);
      }
    });
  }

  /**
   * Starts an agent. The state dir's lock comes first, before anything reads or changes the dir: a
   * second agent on it fails here (StateDirBusyError) having touched nothing. A start that fails
   * later (a listen error) stops what it started and releases the lock before it throws.
   */
  static async start(config: AgentConfig): Promise<Agent> {
    const lock = await StateDirLock.acquire(config.stateDir);
    let agent: Agent | undefined;
    try {
      agent = new Agent(config, lock);
      await agent.run();
      return agent;
    } catch (err) {
      // The store keeps the recovered pods for the next start; their processes stop now.
      if (agent) await agent.stop({ keepPods: true, gracePeriodSeconds: 0 }).catch(() => undefined);
      else await lock.release();
      throw err;
    }
  }

  private async run(): Promise<void> {
    this.persistence = persistChanges(this.kubelet, this.podStore, this.eventStore);
    this.heartbeat.start();
    this.world.startControllers();
    this.node.start();
    await this.world.startNetworking();
    this.recovery = await recoverPods(this.kubelet, this.podStore, this.recoveryInput);
    // Pods stored before Namespaces were objects keep their namespaces: made now, before the API listens.
    this.world.ensureNamespaces(this.kubelet.listPods().map((p) => p.metadata!.namespace!));
    await this.server.listen();
    // Pods reach the API through the `kubernetes` Service, whose endpoint is this listener.
    if (this.world.services.proxy && this.server.tcpAddress) {
      await this.server.listenForPods(this.kubelet.network.gateway).catch((err: Error) => console.error(`tinylet: pods cannot reach the API: ${err.message}`));
    }
    this.world.apiListening();
    // The `kubernetes` Service leads to the API before the agent is up (its Endpoints just changed).
    await this.world.services.proxy?.flush().catch(() => undefined);
    if (this.config.staticPodPath) {
      this.staticPods = new StaticPodSource(this.kubelet, this.config.staticPodPath, (ns) => this.world.ensureNamespace(ns));
      await this.staticPods.start();
    }
  }

  /**
   * Stops the agent. With `keepPods` (a service stop) the pods' containers are stopped gracefully
   * but the pods stay in the store, to be recreated by the next agent; otherwise they are deleted.
   */
  async stop(opts: { keepPods?: boolean; gracePeriodSeconds?: number } = {}): Promise<void> {
    const keep = opts.keepPods ?? true;
    this.stopping = keep;
    this.staticPods?.stop();
    // The API closes before the store freezes, so no request can be acknowledged that is not recorded.
    await this.server.close();
    this.node.stop();
    this.world.stopControllers();
    // The pods are stored as they ran (to come back), then completed with how their containers ended.
    const recordStoppedStates = keep ? prepareStoppedStates(this.kubelet, this.podStore) : undefined;
    if (keep) this.podStore.freeze();
    await this.kubelet.shutdown({ gracePeriodSeconds: opts.gracePeriodSeconds });
    recordStoppedStates?.();
    this.heartbeat.stop();
    this.podStore.flushNow();
    this.eventStore.flush();
    this.persistence?.stop();
    await this.world.stopNetworking();
    await this.lock.release();
  }
}

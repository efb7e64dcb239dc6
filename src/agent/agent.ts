// `tinylet agent`: the kubelet, its store and recovery, the static pod source and the API server,
// put together. Also used in-process by the tests.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Pod } from '../api/types.js';
import type { AgentConfig } from '../kubelet/config.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { podDir } from '../kubelet/podPaths.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import { StaticPodSource } from '../kubelet/staticPods.js';
import { ApiServer } from '../server/apiServer.js';
import { loadOrCreateToken } from '../server/auth.js';
import { loadOrCreateCert } from '../server/tls.js';
import { WatchHub } from '../server/watchHub.js';
import { EventStore } from '../store/eventStore.js';
import { persistChanges } from '../store/persist.js';
import { PodStore } from '../store/podStore.js';
import { recoverPods, type RecoveryReport } from '../store/recovery.js';
import { ResourceVersionCeiling } from '../store/resourceVersions.js';

export class Agent {
  readonly kubelet: Kubelet;
  readonly token: string;
  readonly server: ApiServer;
  readonly podStore: PodStore;
  readonly eventStore: EventStore;
  recovery: RecoveryReport = { leftovers: [], recreated: [], restored: [], dropped: [] };
  private staticPods?: StaticPodSource;
  private stopPersisting?: () => void;
  private stopping = false;

  private constructor(readonly config: AgentConfig) {
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    this.kubelet = new Kubelet(config);
    const ceiling = new ResourceVersionCeiling(config.stateDir);
    this.podStore = new PodStore(config.stateDir);
    this.kubelet.resumeResourceVersion(ceiling.start, ceiling.guard);
    this.eventStore = new EventStore(config.stateDir, () => this.kubelet.events.list());
    this.kubelet.events.load(this.eventStore.load());
    this.token = loadOrCreateToken(join(config.stateDir, 'token'));
    const nextRv = () => this.kubelet.nextResourceVersion();
    const pods = new WatchHub<Pod>(Number(this.kubelet.resourceVersion), nextRv);
    const events = new WatchHub<Event>(Number(this.kubelet.resourceVersion), nextRv);
    this.kubelet.on('pod', (type, pod: Pod) => pods.publish(type, pod));
    this.kubelet.events.on('event', (e: Event) => events.publish('ADDED', e));
    const startedAt = new Date();
    this.server = new ApiServer({
      kubelet: this.kubelet,
      config,
      pods,
      events,
      startedAt,
      token: this.token,
      tls: config.apiPort !== null ? loadOrCreateCert(config.stateDir, config.apiAddress) : undefined,
      tcpAddress: () => this.server.tcpAddress,
    });
    // A deleted pod's directory (logs, emptyDirs) goes once its worker is done, as the kubelet's pod GC does.
    this.kubelet.on('podFinished', (w: PodWorker) => {
      if (w.deleting && !this.stopping) rmSync(podDir(config.stateDir, w.pod), { recursive: true, force: true });
    });
  }

  static async start(config: AgentConfig): Promise<Agent> {
    const agent = new Agent(config);
    await agent.run();
    return agent;
  }

  private async run(): Promise<void> {
    this.stopPersisting = persistChanges(this.kubelet, this.podStore, this.eventStore);
    this.recovery = await recoverPods(this.kubelet, this.podStore);
    await this.server.listen();
    if (this.config.staticPodPath) {
      this.staticPods = new StaticPodSource(this.kubelet, this.config.staticPodPath);
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
    if (keep) this.podStore.freeze();
    await this.server.close();
    await this.kubelet.shutdown({ gracePeriodSeconds: opts.gracePeriodSeconds });
    this.podStore.flush();
    this.eventStore.flush();
    this.stopPersisting?.();
  }
}

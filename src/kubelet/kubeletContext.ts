import type { ImageManager } from './images/imageManager.js';
import type { LogLine } from '../runtime/logs/criFormat.js';
import type { NetworkManager } from '../runtime/network/manager.js';
import type { AgentConfig } from './config.js';
import type { ContainerRecord } from './containerRecord.js';
import type { EventRecorder } from './events.js';
import type { PodObjectSource } from './podObjects.js';
import type { PodWorker } from './podWorker.js';
import type { PodTimelines } from './timeline/podTimelines.js';

/** What a pod worker needs from the node: shared services, and where to report changes. */
export interface KubeletContext {
  config: AgentConfig;
  events: EventRecorder;
  images: ImageManager;
  network: NetworkManager;
  hostIP: string;
  /** The cluster DNS Service's IP once the agent serves DNS (pods' resolv.conf nameserver). */
  clusterDNS?: string;
  /**
   * Whether a pod without spec.nodeName waits for the scheduler to bind it (the agent runs one:
   * src/scheduler). Without a scheduler (`tinylet run`, a kubelet alone) such a pod is this node's.
   */
  schedulesPods?: boolean;
  /** ConfigMaps, Secrets and service account tokens the pods consume (env, envFrom, volumes). */
  objects: PodObjectSource;
  changed(worker: PodWorker): void;
  /**
   * Whether another worker now runs this pod under the same uid (a static pod force-deleted comes
   * back so): its directory is that worker's, and must not be removed with this one.
   */
  hasSuccessor(worker: PodWorker): boolean;
  logLine(worker: PodWorker, record: ContainerRecord, line: Omit<LogLine, 'timestamp'>): void;
  /** Right before a container's stop signal, synchronously (tinylet verify snapshots /proc here). */
  beforeStopSignal?(worker: PodWorker, record: ContainerRecord, pid: number): void;
  /** Where probes, hooks and kills record their timeline entries (absent: not recorded). */
  timelines?: PodTimelines;
}

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ImageConfig } from '../runtime/images/imageConfig.js';
import { parseRegistryConfig, type RegistryConfig } from '../runtime/images/registry/registryConfig.js';
import { applyDiskConfig, DISK_DEFAULTS } from './diskConfig.js';
import { parseDuration } from './duration.js';
import { applyServiceConfig } from './serviceConfig.js';

/** Every agent-wide resource comes from here, so several agents can run side by side (tests). */
export interface AgentConfig {
  nodeName: string;
  stateDir: string;
  /** cgroup (relative to each hierarchy's root) under which limited containers get theirs. */
  cgroupParent: string;
  /** Files derived from images, shared by pods (default: <stateDir>/images). */
  imageDir?: string;
  socketPath: string;
  /** Loopback TCP API port; 0 picks a free one, null disables the TCP listener. */
  apiPort: number | null;
  apiAddress: string;
  bridgeName: string;
  podCIDR: string;
  /** Pod network (bridge + veth). Needs root; without it pods still get their own netns with lo. */
  podNetwork: boolean;
  /** Let pods open connections to the host itself (its bridge address, its other addresses); off by default. */
  podHostAccess: boolean;
  /** Hand out pod IPs from a random point of the CIDR (embedded agents sharing a bridge). */
  randomPodIPs?: boolean;
  staticPodPath?: string;
  /** The kubelet's seccompDefault: containers that ask for no seccomp profile get RuntimeDefault. */
  seccompDefault: boolean;
  /** The kubelet's allowedUnsafeSysctls (patterns ending in `*` allowed). */
  allowedUnsafeSysctls: string[];
  /** The file this config was read from (hidden from containers, like the state dir). */
  configPath?: string;
  crashLoopBackOff: { initialDelayMs: number; maxContainerRestartPeriodMs: number };
  /** The kubelet's log rotation: a quantity (negative: never rotate), and files kept per instance, the current one included (> 1). */
  containerLogMaxSize: string;
  containerLogMaxFiles: number;
  /** How often pods' ephemeral-storage usage is measured against their limits (`evictionMonitoringPeriod`, the kubelet's 10s). */
  evictionMonitoringPeriodMs: number;
  /** How often the kubelet posts its Node's status, heartbeats included (`nodeStatusUpdateFrequency`, 10s); the node lease is renewed at least every 10 s. */
  nodeStatusUpdateFrequencyMs: number;
  images: Record<string, Partial<ImageConfig>>;
  /**
   * Whether the built-in names (busybox, nginx, node, python) run host-backed when no pulled or loaded
   * image of the reference is in the store (the default: tinylet works offline). Off: they are pulled.
   */
  builtinImages: boolean;
  /** Registries: mirrors, insecure (plain http) hosts, a docker config.json with credentials. */
  registries: RegistryConfig;
  /** The kubelet's serializeImagePulls: one pull at a time (the default). */
  serializeImagePulls: boolean;
  /** Services' cluster IPs come from here (the API server's --service-cluster-ip-range). */
  serviceCIDR: string;
  /** NodePorts come from here, inclusive (the API server's --service-node-port-range). */
  serviceNodePortRange: { min: number; max: number };
  /** The cluster's DNS domain (the kubelet's clusterDomain). */
  clusterDomain: string;
  /**
   * Seconds a terminating pod stays a ready endpoint after its deletion starts, as kube-proxy's
   * propagation lag keeps it in a real cluster (0: it leaves at once). A Service's annotation
   * `tinylet.dev/endpoint-removal-delay` overrides it.
   */
  endpointRemovalDelaySeconds: number;
}

/** Files derived from images, shared by the agent and every `tinylet run` (default <stateDir>/images). */
export function imageDirOf(cfg: Pick<AgentConfig, 'stateDir' | 'imageDir'>): string {
  return cfg.imageDir ?? join(cfg.stateDir, 'images');
}

/** Pulled and loaded images, in the image dir. */
export function imageStoreDir(cfg: Pick<AgentConfig, 'stateDir' | 'imageDir'>): string {
  return join(imageDirOf(cfg), 'store');
}

export function defaultConfig(): AgentConfig {
  return {
    nodeName: hostname(),
    stateDir: '/var/lib/tinylet',
    socketPath: '/run/tinylet/tinylet.sock',
    apiPort: 6443,
    apiAddress: '127.0.0.1',
    bridgeName: 'tinylet0',
    cgroupParent: 'tinylet',
    podCIDR: '10.244.0.0/16',
    podNetwork: process.getuid?.() === 0,
    podHostAccess: false,
    seccompDefault: false,
    allowedUnsafeSysctls: [],
    crashLoopBackOff: { initialDelayMs: 10_000, maxContainerRestartPeriodMs: 300_000 },
    nodeStatusUpdateFrequencyMs: 10_000,
    ...DISK_DEFAULTS,
    images: {},
    builtinImages: true,
    registries: { hosts: {} },
    serializeImagePulls: true,
    serviceCIDR: '10.96.0.0/16',
    serviceNodePortRange: { min: 30000, max: 32767 },
    clusterDomain: 'cluster.local',
    endpointRemovalDelaySeconds: 0,
  };
}

type RawConfig = Partial<Omit<AgentConfig, 'crashLoopBackOff' | 'registries' | 'serviceNodePortRange'>> & {
  serviceNodePortRange?: string;
  crashLoopBackOff?: { initialDelay?: string | number; maxContainerRestartPeriod?: string | number };
  evictionMonitoringPeriod?: string | number;
  nodeStatusUpdateFrequency?: string | number;
};

/** Reads a KubeletConfiguration-style YAML file; unknown keys are an error so typos are noticed. */
export function loadConfig(path: string | undefined, overrides: Partial<AgentConfig> = {}): AgentConfig {
  const cfg = defaultConfig();
  if (path) {
    applyRaw(cfg, (parse(readFileSync(path, 'utf8')) ?? {}) as RawConfig & Record<string, unknown>, path);
    cfg.configPath = resolve(path);
  }
  return { ...cfg, ...overrides };
}

const KNOWN = new Set(['apiVersion', 'kind', 'nodeName', 'stateDir', 'socketPath', 'apiPort', 'apiAddress', 'bridgeName', 'podCIDR', 'podNetwork', 'podHostAccess', 'seccompDefault', 'allowedUnsafeSysctls', 'staticPodPath', 'crashLoopBackOff', 'images', 'imageDir', 'cgroupParent', 'containerLogMaxSize', 'containerLogMaxFiles', 'evictionMonitoringPeriod', 'builtinImages', 'registries', 'serializeImagePulls', 'serviceCIDR', 'serviceNodePortRange', 'clusterDomain', 'endpointRemovalDelaySeconds', 'nodeStatusUpdateFrequency']);

export function applyRaw(cfg: AgentConfig, raw: RawConfig & Record<string, unknown>, source: string): void {
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) throw new Error(`${source}: unknown field "${key}"`);
  }
  const { crashLoopBackOff, evictionMonitoringPeriod, nodeStatusUpdateFrequency, registries, serviceNodePortRange, apiVersion: _a, kind: _k, ...rest } = raw as RawConfig & { apiVersion?: string; kind?: string; registries?: unknown };
  Object.assign(cfg, rest);
  applyServiceConfig(cfg, serviceNodePortRange, source);
  if (registries !== undefined) cfg.registries = parseRegistryConfig(registries, `${source}: registries`);
  if (typeof cfg.builtinImages !== 'boolean') throw new Error(`${source}: builtinImages: must be true or false`);
  if (typeof cfg.serializeImagePulls !== 'boolean') throw new Error(`${source}: serializeImagePulls: must be true or false`);
  applyDiskConfig(cfg, evictionMonitoringPeriod, source);
  if (nodeStatusUpdateFrequency !== undefined) {
    cfg.nodeStatusUpdateFrequencyMs = parseDuration(nodeStatusUpdateFrequency, 'nodeStatusUpdateFrequency');
    if (cfg.nodeStatusUpdateFrequencyMs < 100) throw new Error(`${source}: nodeStatusUpdateFrequency: must be at least 100ms`);
  }
  // Truthiness would open the host to pods on `podHostAccess: "no"`.
  if (typeof cfg.podHostAccess !== 'boolean') throw new Error(`${source}: podHostAccess: must be true or false`);
  if (typeof cfg.seccompDefault !== 'boolean') throw new Error(`${source}: seccompDefault: must be true or false`);
  if (!Array.isArray(cfg.allowedUnsafeSysctls) || cfg.allowedUnsafeSysctls.some((s) => typeof s !== 'string')) {
    throw new Error(`${source}: allowedUnsafeSysctls: must be a list of sysctl names or patterns`);
  }
  // The overlay's mount options are a comma-separated list: such a state dir could not be mounted.
  if (/[,:\\]/.test(cfg.stateDir)) throw new Error(`${source}: stateDir: must not contain ',', ':' or '\\'`);
  if (crashLoopBackOff) {
    if (crashLoopBackOff.initialDelay !== undefined) cfg.crashLoopBackOff.initialDelayMs = parseDuration(crashLoopBackOff.initialDelay, 'crashLoopBackOff.initialDelay');
    if (crashLoopBackOff.maxContainerRestartPeriod !== undefined) {
      cfg.crashLoopBackOff.maxContainerRestartPeriodMs = parseDuration(crashLoopBackOff.maxContainerRestartPeriod, 'crashLoopBackOff.maxContainerRestartPeriod');
    }
  }
  const { initialDelayMs, maxContainerRestartPeriodMs } = cfg.crashLoopBackOff;
  if (maxContainerRestartPeriodMs < 1000 || maxContainerRestartPeriodMs > 300_000) {
    throw new Error(`${source}: crashLoopBackOff.maxContainerRestartPeriod: must be between 1s and 300s`);
  }
  if (initialDelayMs <= 0 || initialDelayMs > maxContainerRestartPeriodMs) {
    throw new Error(`${source}: crashLoopBackOff.initialDelay: must be > 0 and <= maxContainerRestartPeriod`);
  }
}

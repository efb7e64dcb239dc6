import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStatus, Pod } from '../../src/api/types.js';
import { defaultConfig, type AgentConfig } from '../../src/kubelet/config.js';
import { Kubelet } from '../../src/kubelet/kubelet.js';
import type { PodWorker } from '../../src/kubelet/podWorker.js';
import { defaultPod } from '../../src/api/defaults.js';
import { removeCgroupParent } from '../../src/runtime/cgroups.js';
import { trackOccurrences } from './eventOccurrences.js';

let counter = 0;
/** Random per test process, so two suites on one machine (a developer's and CI's) do not share bridges. */
const runId = Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, '0');
/** The run's base (vitest.config.ts): files running at once differ by their pool id, not by luck. */
const subnetBase = Number(process.env.TINYLET_TEST_SUBNET_BASE ?? Math.floor(Math.random() * 40));

/** A config no other test shares: own state dir, bridge and /24 of pod addresses. */
export function isolatedConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  const pool = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1) % 8;
  const n = counter++ % 4;
  const subnet = (subnetBase * 32 + pool * 4 + n) % 250;
  return {
    ...defaultConfig(),
    nodeName: 'tinylet-test',
    stateDir: mkdtempSync(join(tmpdir(), 'tinylet-test-')),
    socketPath: '',
    apiPort: null,
    bridgeName: `tlt${runId}${pool}x${n}`,
    cgroupParent: `tinylet-test-${runId}-${pool}-${n}`,
    podCIDR: `10.250.${subnet}.0/24`,
    // Service IPs, and NodePorts on the host, per agent too: two agents never claim the same one.
    serviceCIDR: `10.251.${subnet}.0/24`,
    serviceNodePortRange: { min: 30000 + subnet * 8, max: 30000 + subnet * 8 + 7 },
    ...overrides,
  };
}

export interface TestNode {
  kubelet: Kubelet;
  config: AgentConfig;
  run(pod: Pod): PodWorker;
  cleanup(): Promise<void>;
}

export function testNode(overrides: Partial<AgentConfig> = {}): TestNode {
  const config = isolatedConfig(overrides);
  const kubelet = new Kubelet(config);
  trackOccurrences(kubelet);
  return {
    kubelet,
    config,
    run(pod: Pod) {
      const p = defaultPod(pod);
      kubelet.createPod(p);
      return kubelet.getWorker(p.metadata!.namespace!, p.metadata!.name!)!;
    },
    async cleanup() {
      try {
        await kubelet.shutdown({ gracePeriodSeconds: 0 });
        await kubelet.network.destroy();
      } finally {
        rmSync(config.stateDir, { recursive: true, force: true });
        await removeCgroupParent(config.cgroupParent);
      }
    },
  };
}

/** Resolves once `cond` holds for the worker's pod, checking on every status change. */
export function waitForPod(node: TestNode, worker: PodWorker, cond: (pod: Pod) => boolean, timeoutMs = 20_000): Promise<Pod> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (cond(worker.pod)) {
        cleanup();
        resolve(worker.pod);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for pod ${worker.key}; status: ${JSON.stringify(worker.pod.status)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      node.kubelet.off('pod', check);
    };
    node.kubelet.on('pod', check);
    check();
  });
}

export function podManifest(name: string, spec: Partial<Pod['spec']> & { containers: NonNullable<Pod['spec']>['containers'] }): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: spec as Pod['spec'] };
}

/** Polls a condition that no pod change announces (events, files, processes). */
export async function waitUntil(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Before the kubelet's first sync a pod has no container statuses (STATUS Pending): waits see this empty one. */
const NOT_SYNCED: ContainerStatus = { name: '', image: '', imageID: '', ready: false, restartCount: 0 };

/** The first app container's status, and whether it runs: what most waits look for. */
export const firstContainer = (p: Pod): ContainerStatus => p.status?.containerStatuses?.[0] ?? NOT_SYNCED;
export const firstRunning = (p: Pod) => p.status?.containerStatuses?.[0].state?.running !== undefined;

/** Writes a file into a test's temp dir and returns its path. */
export function writeTestFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** An agent config file for the CLI (`--config`) with its own state dir, bridge, CIDR and cgroup parent. */
export function writeAgentConfig(dir: string, name: string, nodePorts?: string): string {
  const c = isolatedConfig();
  rmSync(c.stateDir, { recursive: true, force: true });
  const yaml = `stateDir: ${join(dir, `state-${name}`)}\nbridgeName: ${c.bridgeName}\npodCIDR: ${c.podCIDR}\ncgroupParent: ${c.cgroupParent}\nserviceCIDR: ${c.serviceCIDR}\nserviceNodePortRange: ${nodePorts ?? `${c.serviceNodePortRange.min}-${c.serviceNodePortRange.max}`}\n`;
  return writeTestFile(dir, `agent-${name}.yaml`, yaml);
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../src/kubelet/config.js';
import { AgentChild } from './agentChild.js';

/**
 * An agent of the bench's own, in a child process: state under `dir`, a Unix socket only, and a
 * bridge, pod CIDR (10.249.<slot>.0/24), service CIDR and NodePort range no test agent uses (theirs
 * are 10.250/10.251 and 30000-31999), so the bench can run beside the test suite.
 */
export async function startBenchAgent(dir: string, slot: number, nodeFlags: string[] = []): Promise<AgentChild> {
  const stateDir = join(dir, `agent-${slot}`);
  mkdirSync(stateDir, { recursive: true });
  const config: Partial<AgentConfig> & Pick<AgentConfig, 'stateDir' | 'socketPath' | 'cgroupParent'> = {
    nodeName: 'tinylet-bench',
    stateDir,
    socketPath: join(stateDir, 'api.sock'),
    apiPort: null,
    bridgeName: `tlbench${slot}`,
    podCIDR: `10.249.${slot}.0/24`,
    serviceCIDR: `10.249.${100 + slot}.0/24`,
    serviceNodePortRange: { min: 32600 + slot * 8, max: 32600 + slot * 8 + 7 },
    cgroupParent: `tinylet-bench-${slot}`,
  };
  return AgentChild.start(config, nodeFlags);
}

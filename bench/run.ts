import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/kubelet/config.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { imagePull } from './imagePull.js';
import { pauseRss } from './pauseRss.js';
import { probeCost } from './probeCost.js';
import { signalTiming, signalTimingUnderWriteback } from './signalTiming.js';
import { startLatency } from './startLatency.js';

const BENCH_CGROUP = 'tinylet-bench';

/** `npm run bench`: every speed and size goal, measured on real processes; prints one JSON document. */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-'));
  // A cgroup parent of its own, removed at the end (the default, `tinylet`, is the agent's).
  const config = { ...defaultConfig(), stateDir: join(dir, 'state'), apiPort: null, bridgeName: 'tlbench0', podCIDR: '10.251.0.0/24', cgroupParent: BENCH_CGROUP };
  const agentYaml = join(dir, 'agent.yaml');
  writeFileSync(agentYaml, `stateDir: ${join(dir, 'run-state')}\nbridgeName: tlbench1\npodCIDR: 10.251.1.0/24\ncgroupParent: ${BENCH_CGROUP}\n`);
  const results: Record<string, unknown> = {};
  try {
    results.startLatency = await startLatency(5, agentYaml);
    results.pause = await pauseRss();
    results.signalTiming = await signalTiming(config, 10);
    results.signalTimingUnderWriteback = await signalTimingUnderWriteback(config, 10, dir);
    results.probeCost = await probeCost({ ...config, bridgeName: 'tlbench2', podCIDR: '10.251.2.0/24' }, 100);
    results.imagePull = await imagePull({ ...config, stateDir: join(dir, 'image-pull-state'), bridgeName: 'tlbench3', podCIDR: '10.251.3.0/24' }, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeCgroupParent(BENCH_CGROUP);
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

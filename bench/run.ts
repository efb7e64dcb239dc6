import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/kubelet/config.js';
import { pauseRss } from './pauseRss.js';
import { probeCost } from './probeCost.js';
import { signalTiming } from './signalTiming.js';
import { startLatency } from './startLatency.js';

/** `npm run bench`: every speed and size goal, measured on real processes; prints one JSON document. */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-'));
  const config = { ...defaultConfig(), stateDir: join(dir, 'state'), apiPort: null, bridgeName: 'tlbench0', podCIDR: '10.251.0.0/24' };
  const agentYaml = join(dir, 'agent.yaml');
  writeFileSync(agentYaml, `stateDir: ${join(dir, 'run-state')}\nbridgeName: tlbench1\npodCIDR: 10.251.1.0/24\n`);
  const results: Record<string, unknown> = {};
  try {
    results.startLatency = await startLatency(5, agentYaml);
    results.pause = await pauseRss();
    results.signalTiming = await signalTiming(config, 10);
    results.probeCost = await probeCost({ ...config, bridgeName: 'tlbench2', podCIDR: '10.251.2.0/24' }, 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

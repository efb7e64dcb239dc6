import type { Pod } from '../src/api/types.js';
import type { AgentChild } from './agentChild.js';
import { startBenchAgent } from './benchAgent.js';

const MB = 2 ** 20;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

function idlePod(name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'idle', image: 'busybox', command: ['sleep', '3600'] }] } };
}

async function createAll(agent: AgentChild, names: string[]): Promise<void> {
  for (const n of names) await agent.createPod(idlePod(n));
  await agent.waitPods((list) => list.length === names.length && list.every((p) => p.status?.phase === 'Running'), 180_000, 'idle pods running', 200);
}

async function deleteAll(agent: AgentChild, names: string[]): Promise<void> {
  for (const n of names) await agent.deletePod(n, 0);
  await agent.waitPods((list) => list.length === 0, 120_000, 'idle pods deleted', 200);
}

/**
 * Goal 4/6: the agent's RSS, read after two full GCs (--expose-gc), at 0 pods before and after
 * `cycles` cycles of `pods` pods created and deleted through the API, and with `pods` idle pods
 * (growth per pod). A forced delete removes the object first: the next reading waits for the
 * agent's children (pause, launcher) to be gone too.
 */
export async function agentRss(dir: string, slot: number, cycles: number, pods: number): Promise<Record<string, unknown>> {
  const agent = await startBenchAgent(dir, slot);
  try {
    // Idle a moment: the start's own garbage and lazily loaded modules settle.
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = await agent.memory();
    const afterCycle: { rssMB: number; heapUsedMB: number }[] = [];
    let withPods = baseline;
    for (let c = 0; c < cycles; c++) {
      const names = Array.from({ length: pods }, (_, i) => `rss-${c}-${i}`);
      await createAll(agent, names);
      if (c === cycles - 1) withPods = await agent.memory();
      await deleteAll(agent, names);
      await agent.waitNoPodProcesses();
      const m = await agent.memory();
      afterCycle.push({ rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed) });
    }
    const last = afterCycle[afterCycle.length - 1];
    const before = afterCycle.length > 1 ? afterCycle[afterCycle.length - 2] : { rssMB: mb(baseline.rss) };
    return {
      cycles,
      podsPerCycle: pods,
      baselineRssMB: mb(baseline.rss),
      baselineHeapUsedMB: mb(baseline.heapUsed),
      afterCycle,
      rssGrowthAfterCyclesMB: Math.round((last.rssMB - mb(baseline.rss)) * 10) / 10,
      // The pods of the last cycle, all idle, against the 0-pod reading that ends the cycle.
      rssKbPerIdlePod: Math.round((withPods.rss - last.rssMB * MB) / 1024 / pods),
      heapUsedKbPerIdlePod: Math.round((withPods.heapUsed - last.heapUsedMB * MB) / 1024 / pods),
      lastCycleRssGrowthMB: Math.round((last.rssMB - before.rssMB) * 10) / 10,
    };
  } finally {
    await agent.stop();
  }
}

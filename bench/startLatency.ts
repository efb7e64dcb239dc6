import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, median, nowNs } from './util.js';

/**
 * Wall time from spawning `tinylet run` to the container's first instruction: the container is
 * /usr/bin/date printing its own clock in nanoseconds, compared with the spawn time. Also the
 * agent's own share: pod created -> container exec'd, from the timeline.
 */
export async function startLatency(runs: number, agentConfig: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-'));
  const pod = join(dir, 'pod.yaml');
  writeFileSync(pod, 'apiVersion: v1\nkind: Pod\nmetadata: {name: latency}\nspec:\n  restartPolicy: Never\n  containers:\n  - {name: clock, image: busybox, command: ["/usr/bin/date", "+%s%N"]}\n');
  const spawnToFirst: number[] = [];
  const createToExec: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = nowNs();
      const r = await execa('node', [cliPath, 'run', pod, '--config', agentConfig]);
      const printed = /clock\s+stdout \| (\d+)/.exec(r.stdout);
      if (!printed) throw new Error(`no clock line in:\n${r.stdout}`);
      spawnToFirst.push(Number(BigInt(printed[1]) - t0) / 1e6);
      const at = (reason: string) => Number(new RegExp(`\\+\\s*([\\d.]+)s\\s+\\S+\\s+${reason}`).exec(r.stdout)![1]) * 1000;
      createToExec.push(at('ProcessStarted') - at('Scheduled'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    runs,
    cliSpawnToFirstInstructionMsMedian: Math.round(median(spawnToFirst)),
    cliSpawnToFirstInstructionMsMax: Math.round(Math.max(...spawnToFirst)),
    podCreateToExecMsMedian: Math.round(median(createToExec)),
  };
}

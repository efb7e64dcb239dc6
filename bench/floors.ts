import { spawnSync } from 'node:child_process';
import { median } from './util.js';

/** Spawn -> exit of a command, median of `runs`: the floors no runtime can start under. */
function spawnMs(cmd: string, args: string[], runs: number): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status} ${r.error?.message ?? ''}`);
    ms.push(performance.now() - t0);
  }
  return Math.round(median(ms) * 10) / 10;
}

export function floors(runs: number): Record<string, number> {
  return {
    runs,
    nodeEmptyMs: spawnMs('node', ['-e', '0'], runs),
    unshareNetIpcUtsMs: spawnMs('unshare', ['--net', '--ipc', '--uts', '--fork', 'true'], runs),
    busyboxTrueMs: spawnMs('/bin/busybox', ['true'], runs),
  };
}

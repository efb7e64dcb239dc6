// What an agent's run can leave on the machine: processes, veths on its bridge, cgroups, mounts.
// Tests list them after the agent is gone, expecting an empty list.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { bridgePorts } from '../../src/runtime/network/bridge.js';
import { mountsUnder } from '../../src/store/leftovers.js';

/** Processes whose command line contains `pattern` (pgrep -af), other than the pgrep itself. */
export async function processesMatching(pattern: string): Promise<string[]> {
  const r = await execa('pgrep', ['-af', pattern], { reject: false });
  return r.stdout.split('\n').filter((l) => l && !/^\d+ pgrep /.test(l));
}

/** SIGKILLs, by pid, the processes a failed leak check found (their command line names this test's marker). */
export async function killLeaked(pattern: string): Promise<void> {
  for (const line of await processesMatching(pattern)) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/** The parent cgroup's directory in every hierarchy it exists in (v1 controllers, v2, hybrid). */
export function cgroupDirs(parent: string): string[] {
  const root = '/sys/fs/cgroup';
  const candidates = [join(root, parent), ...readdirSync(root).map((h) => join(root, h, parent))];
  return candidates.filter((d) => existsSync(d));
}

/** Container cgroups still below the parent. */
export function childCgroups(parent: string): string[] {
  return cgroupDirs(parent).flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)));
}

/**
 * Everything of an agent's run still present: processes naming its state dir (the lock helper,
 * container launchers) or `marker` (its pods' names and commands), veths on its bridge, container
 * cgroups, mounts under its state dir.
 */
export async function agentLeftovers(opts: { stateDir: string; bridge: string; cgroupParent: string; marker: string }): Promise<string[]> {
  return [
    ...(await processesMatching(opts.stateDir)).map((p) => `process ${p}`),
    ...(await processesMatching(opts.marker)).map((p) => `process ${p}`),
    ...(await bridgePorts(opts.bridge)).map((v) => `veth ${v}`),
    ...childCgroups(opts.cgroupParent).map((c) => `cgroup ${c}`),
    ...mountsUnder(opts.stateDir).map((m) => `mount ${m}`),
  ];
}

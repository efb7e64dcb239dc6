import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP_ROOT as ROOT, cgroupLayout } from './cgroupMounts.js';

export interface CgroupLimits {
  memoryBytes?: number;
  /** CPU limit in millicores (500 = half a core). */
  cpuMillis?: number;
}

/** The cgroup(s) one container instance runs in: one per controller on v1, one directory on v2. */
export interface ContainerCgroup {
  /** Directories whose cgroup.procs the container's PID 1 joins before it execs. */
  dirs: string[];
  /** The kernel's OOM killer killed a process of this cgroup. */
  oomKilled(): boolean;
  remove(): void;
}

type Mode = 'v2' | 'v1' | 'none';

/** v2 where it is complete (memory and cpu in the unified root), else v1 controllers where mounted. */
export function cgroupMode(): Mode {
  const controllers = join(ROOT, 'cgroup.controllers');
  if (existsSync(controllers)) {
    const have = readFileSync(controllers, 'utf8').split(/\s+/);
    if (have.includes('memory') && have.includes('cpu')) return 'v2';
  }
  return existsSync(join(ROOT, 'memory', 'memory.limit_in_bytes')) ? 'v1' : 'none';
}

const CFS_PERIOD_US = 100_000;

/**
 * The container's own cgroup, as the kubelet gives each container, with its resources.limits: memory
 * (the OOM killer acts at the limit) and a CFS quota for CPU. Every container gets one, limits or
 * not, so its cgroup namespace is rooted at a cgroup of its own. Undefined without cgroups.
 */
export function createContainerCgroup(parent: string, name: string, limits: CgroupLimits): ContainerCgroup | undefined {
  const mode = cgroupMode();
  if (mode === 'none') return undefined;
  return mode === 'v2' ? createV2(parent, name, limits) : createV1(parent, name, limits);
}

/** The container's directory in every hierarchy (a cpuset one must inherit cpus and mems to be joinable). */
function createV1(parent: string, name: string, limits: CgroupLimits): ContainerCgroup {
  const dirs: string[] = [];
  for (const h of cgroupLayout().mounts) {
    let dir = h.dir;
    for (const part of [...parent.split('/').filter(Boolean), name]) {
      const up = dir;
      dir = join(dir, part);
      if (!existsSync(dir)) {
        mkdirSync(dir);
        if (h.options.split(',').includes('cpuset')) for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(dir, f), readFileSync(join(up, f)));
      }
    }
    dirs.push(dir);
  }
  const memory = join(ROOT, 'memory', parent, name);
  if (limits.memoryBytes !== undefined) writeFileSync(join(memory, 'memory.limit_in_bytes'), String(Math.floor(limits.memoryBytes)));
  if (limits.cpuMillis !== undefined && existsSync(join(ROOT, 'cpu'))) {
    const cpu = join(ROOT, 'cpu', parent, name);
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.floor((limits.cpuMillis * CFS_PERIOD_US) / 1000))));
  }
  return {
    dirs,
    oomKilled: () => limits.memoryBytes !== undefined && counter(join(memory, 'memory.oom_control'), 'oom_kill') > 0,
    remove: () => removeSoon(dirs),
  };
}

function createV2(parent: string, name: string, limits: CgroupLimits): ContainerCgroup {
  const parentDir = join(ROOT, parent);
  mkdirSync(parentDir, { recursive: true });
  // Controllers must be enabled for the children of every level above the container.
  writeFileSync(join(ROOT, 'cgroup.subtree_control'), '+memory +cpu');
  writeFileSync(join(parentDir, 'cgroup.subtree_control'), '+memory +cpu');
  const dir = join(parentDir, name);
  mkdirSync(dir, { recursive: true });
  if (limits.memoryBytes !== undefined) writeFileSync(join(dir, 'memory.max'), String(Math.floor(limits.memoryBytes)));
  if (limits.cpuMillis !== undefined) writeFileSync(join(dir, 'cpu.max'), `${Math.max(1000, Math.floor((limits.cpuMillis * CFS_PERIOD_US) / 1000))} ${CFS_PERIOD_US}`);
  return { dirs: [dir], oomKilled: () => counter(join(dir, 'memory.events'), 'oom_kill') > 0, remove: () => removeSoon([dir]) };
}

function counter(file: string, key: string): number {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Removes an empty cgroup; false while a process is still leaving it (or it is gone). */
function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * A container's cgroup goes once its processes are gone. The PID namespace died with PID 1, but an
 * exec'd process (a probe, kubectl exec) may take a moment more to leave: try again for a while;
 * what is left after that the next start of the agent sweeps.
 */
function removeSoon(dirs: string[], triesLeft = 40): void {
  const busy = dirs.filter((d) => existsSync(d) && !removeDir(d));
  if (busy.length > 0 && triesLeft > 0) setTimeout(() => removeSoon(busy, triesLeft - 1), 50).unref();
}

/**
 * Removes the parent cgroup, and what is left below it, from every hierarchy, as `tinylet run` and
 * tests end; waits up to a second for the last processes to leave.
 */
export async function removeCgroupParent(parent: string): Promise<void> {
  for (let tries = 0; tries < 20; tries++) {
    sweepCgroups(parent);
    if (parentDirs(parent).filter((dir) => !removeDir(dir)).length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The parent's directory in each hierarchy tinylet uses, where it exists. */
function parentDirs(parent: string): string[] {
  const mode = cgroupMode();
  const dirs = mode === 'v2' ? [join(ROOT, parent)] : mode === 'v1' ? cgroupLayout().mounts.map((h) => join(h.dir, parent)) : [];
  return dirs.filter((d) => existsSync(d));
}

/** Removes container cgroups a previous run left under the parent (empty: their processes died with it). */
export function sweepCgroups(parent: string): string[] {
  const removed: string[] = [];
  for (const dir of parentDirs(parent)) {
    for (const child of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      removeDir(join(dir, child.name));
      removed.push(`cgroup ${join(dir, child.name)}`);
    }
  }
  return removed;
}

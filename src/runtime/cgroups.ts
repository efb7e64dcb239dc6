import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

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
 * A cgroup with the container's resources.limits, as the kubelet gives each container: memory (the
 * OOM killer acts at the limit) and a CFS quota for CPU. Returns undefined when there is nothing to
 * limit or no usable cgroup hierarchy.
 */
export function createContainerCgroup(parent: string, name: string, limits: CgroupLimits): ContainerCgroup | undefined {
  if (limits.memoryBytes === undefined && limits.cpuMillis === undefined) return undefined;
  const mode = cgroupMode();
  if (mode === 'none') return undefined;
  return mode === 'v2' ? createV2(parent, name, limits) : createV1(parent, name, limits);
}

function createV1(parent: string, name: string, limits: CgroupLimits): ContainerCgroup {
  const dirs: string[] = [];
  const memory = join(ROOT, 'memory', parent, name);
  if (limits.memoryBytes !== undefined) {
    mkdirSync(memory, { recursive: true });
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(Math.floor(limits.memoryBytes)));
    dirs.push(memory);
  }
  if (limits.cpuMillis !== undefined && existsSync(join(ROOT, 'cpu'))) {
    const cpu = join(ROOT, 'cpu', parent, name);
    mkdirSync(cpu, { recursive: true });
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.floor((limits.cpuMillis * CFS_PERIOD_US) / 1000))));
    dirs.push(cpu);
  }
  return {
    dirs,
    oomKilled: () => dirs.includes(memory) && counter(join(memory, 'memory.oom_control'), 'oom_kill') > 0,
    remove: () => dirs.forEach(removeDir),
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
  return { dirs: [dir], oomKilled: () => counter(join(dir, 'memory.events'), 'oom_kill') > 0, remove: () => removeDir(dir) };
}

function counter(file: string, key: string): number {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** A cgroup can be removed once its processes are gone (they are: the PID namespace died with PID 1). */
function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* still busy or gone; the next start of the agent sweeps the parent */
  }
}

/** Removes the (empty) parent cgroup from every hierarchy, as `tinylet run` and tests end. */
export function removeCgroupParent(parent: string): void {
  for (const dir of parentDirs(parent)) removeDir(dir);
}

/** The parent's directory in each hierarchy tinylet uses, where it exists. */
function parentDirs(parent: string): string[] {
  const mode = cgroupMode();
  const dirs = mode === 'v2' ? [join(ROOT, parent)] : mode === 'v1' ? ['memory', 'cpu'].map((c) => join(ROOT, c, parent)) : [];
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

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CFS_PERIOD_US, MAX_MEMORY_BYTES, MIN_CFS_QUOTA_US } from '../api/kernelLimits.js';
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

/**
 * A cgroup could not be made or configured (EINVAL for a value the kernel refuses, ENOSPC past the
 * cgroup count limits, EBUSY...): worded as runc words it, the container's StartError, not the agent's.
 */
export class CgroupError extends Error {}

/** Node's "EINVAL: invalid argument, write" as Go prints an errno: "invalid argument". */
function errnoText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^E[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
}

function writeControl(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch (err) {
    throw new CgroupError(`failed to write ${JSON.stringify(value)}: write ${file}: ${errnoText(err)}`);
  }
}

/** Creates one directory level; false when it already existed. */
function makeDir(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CgroupError(`mkdir ${dir}: ${errnoText(err)}`);
  }
}

/** Bytes in decimal (never `1e+21`, which the kernel refuses); a limit at the page counter's ceiling is none. */
function memoryValue(bytes: number, unlimited: string): string {
  return bytes >= MAX_MEMORY_BYTES ? unlimited : BigInt(Math.ceil(bytes)).toString();
}

/** The kubelet's MilliCPUToQuota: never below the kernel's 1 ms minimum. Validation keeps it under the maximum. */
function quotaUs(cpuMillis: number): number {
  return Math.max(MIN_CFS_QUOTA_US, Math.floor((cpuMillis * CFS_PERIOD_US) / 1000));
}

/**
 * The container's own cgroup, as the kubelet gives each container, with its resources.limits: memory
 * (the OOM killer acts at the limit) and a CFS quota for CPU. Every container gets one, limits or
 * not, so its cgroup namespace is rooted at a cgroup of its own. Undefined without cgroups. Throws
 * CgroupError, having removed what it made of the container's cgroup.
 */
export function createContainerCgroup(parent: string, name: string, limits: CgroupLimits): ContainerCgroup | undefined {
  const mode = cgroupMode();
  if (mode === 'none') return undefined;
  const made: string[] = [];
  try {
    return mode === 'v2' ? createV2(parent, name, limits, made) : createV1(parent, name, limits, made);
  } catch (err) {
    // Empty (no process joined yet), deepest first. The shared parent levels stay for the next container.
    for (const dir of made.reverse()) removeDir(dir);
    throw err instanceof CgroupError ? err : new CgroupError(errnoText(err));
  }
}

/** The container's directory in every hierarchy (a cpuset one must inherit cpus and mems to be joinable). */
function createV1(parent: string, name: string, limits: CgroupLimits, made: string[]): ContainerCgroup {
  const dirs: string[] = [];
  for (const h of cgroupLayout().mounts) {
    let dir = h.dir;
    const parts = [...parent.split('/').filter(Boolean), name];
    for (const [i, part] of parts.entries()) {
      const up = dir;
      dir = join(dir, part);
      if (!makeDir(dir)) continue;
      if (i === parts.length - 1) made.push(dir);
      if (h.options.split(',').includes('cpuset')) for (const f of ['cpuset.cpus', 'cpuset.mems']) writeControl(join(dir, f), readFileSync(join(up, f), 'utf8'));
    }
    dirs.push(dir);
  }
  const memory = join(ROOT, 'memory', parent, name);
  if (limits.memoryBytes !== undefined) writeControl(join(memory, 'memory.limit_in_bytes'), memoryValue(limits.memoryBytes, '-1'));
  if (limits.cpuMillis !== undefined && existsSync(join(ROOT, 'cpu'))) {
    const cpu = join(ROOT, 'cpu', parent, name);
    writeControl(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeControl(join(cpu, 'cpu.cfs_quota_us'), String(quotaUs(limits.cpuMillis)));
  }
  return {
    dirs,
    oomKilled: () => limits.memoryBytes !== undefined && counter(join(memory, 'memory.oom_control'), 'oom_kill') > 0,
    remove: () => removeSoon(dirs),
  };
}

function createV2(parent: string, name: string, limits: CgroupLimits, made: string[]): ContainerCgroup {
  const parentDir = join(ROOT, parent);
  try {
    mkdirSync(parentDir, { recursive: true });
  } catch (err) {
    throw new CgroupError(`mkdir ${parentDir}: ${errnoText(err)}`);
  }
  // Controllers must be enabled for the children of every level above the container.
  writeControl(join(ROOT, 'cgroup.subtree_control'), '+memory +cpu');
  writeControl(join(parentDir, 'cgroup.subtree_control'), '+memory +cpu');
  const dir = join(parentDir, name);
  if (makeDir(dir)) made.push(dir);
  if (limits.memoryBytes !== undefined) writeControl(join(dir, 'memory.max'), memoryValue(limits.memoryBytes, 'max'));
  if (limits.cpuMillis !== undefined) writeControl(join(dir, 'cpu.max'), `${quotaUs(limits.cpuMillis)} ${CFS_PERIOD_US}`);
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

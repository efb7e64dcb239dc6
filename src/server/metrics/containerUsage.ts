// What one running container has used so far: cumulative CPU time and current memory, read as
// cAdvisor reads them for the kubelet's summary API (which metrics-server serves):
//   - from the container's own cgroup when it has one (tinylet gives every container one where
//     cgroups exist): CPU from cpuacct.usage (v1) or cpu.stat usage_usec (v2), memory as the
//     working set, usage minus inactive file pages (v1 memory.usage_in_bytes - total_inactive_file,
//     v2 memory.current - inactive_file). Everything in the cgroup counts: exec'd commands and exec
//     probes too, as on a node;
//   - else from /proc over PID 1's process tree: utime+stime and the reaped children's
//     cutime+cstime (so a shell's short-lived children are counted), memory as the sum of VmRSS.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processTree } from '../../runtime/processTree.js';

export interface UsageReading {
  /** CPU time used since the container started, in nanoseconds (only differences mean anything). */
  cpuNs: number;
  memoryBytes: number;
}

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture tinylet runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function statValue(text: string | undefined, key: string): number | undefined {
  const m = text === undefined ? null : new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const has = (dir: string, file: string): boolean => existsSync(join(dir, file));

function cgroupCpuNs(dirs: readonly string[]): number | undefined {
  // v1 first: on a hybrid host the unified (v2) directory has a cpu.stat too, but no cpu controller.
  const v1 = dirs.find((d) => has(d, 'cpuacct.usage'));
  if (v1) {
    const ns = Number(readText(join(v1, 'cpuacct.usage'))?.trim());
    return Number.isFinite(ns) ? ns : undefined;
  }
  for (const d of dirs) {
    const usec = statValue(readText(join(d, 'cpu.stat')), 'usage_usec');
    if (usec !== undefined) return usec * 1000;
  }
  return undefined;
}

function cgroupWorkingSet(dirs: readonly string[]): number | undefined {
  const v1 = dirs.find((d) => has(d, 'memory.usage_in_bytes'));
  const [usageFile, inactiveKey, dir] = v1 ? ['memory.usage_in_bytes', 'total_inactive_file', v1] : ['memory.current', 'inactive_file', dirs.find((d) => has(d, 'memory.current'))];
  if (!dir) return undefined;
  const usage = Number(readText(join(dir, usageFile))?.trim());
  if (!Number.isFinite(usage)) return undefined;
  const inactive = statValue(readText(join(dir, 'memory.stat')), inactiveKey) ?? 0;
  return Math.max(0, usage - inactive);
}

function procTimesNs(pid: number): number {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return 0;
  // Fields after the command name, which may hold spaces: utime, stime, cutime, cstime are fields 14-17.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return Number.isFinite(ticks) ? (ticks * 1e9) / CLOCK_TICKS_PER_SECOND : 0;
}

function procRssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return kb ? Number(kb[1]) * 1024 : 0;
}

/** The container's usage now, or undefined when neither its cgroup nor its processes can be read. */
export function readContainerUsage(pid: number, cgroupDirs: readonly string[] | undefined): UsageReading | undefined {
  if (cgroupDirs && cgroupDirs.length > 0) {
    const cpuNs = cgroupCpuNs(cgroupDirs);
    const memoryBytes = cgroupWorkingSet(cgroupDirs);
    if (cpuNs !== undefined && memoryBytes !== undefined) return { cpuNs, memoryBytes };
  }
  const pids = processTree(pid);
  if (readText(`/proc/${pid}/stat`) === undefined) return undefined;
  let cpuNs = 0;
  let memoryBytes = 0;
  for (const p of pids) {
    cpuNs += procTimesNs(p);
    memoryBytes += procRssBytes(p);
  }
  return { cpuNs, memoryBytes };
}

import { readdirSync, readFileSync } from 'node:fs';
import { statFields } from '../src/runtime/processTree.js';

/** What a set of processes costs in memory, from /proc/<pid>/smaps_rollup (the kernel's own sums). */
export interface MemoryCost {
  processes: number;
  rssKb: number;
  /** Proportional set size: shared pages split among the processes that map them. */
  pssKb: number;
  /** Process names counted, e.g. {"tinylet-pause": 2, "sleep": 1}: what "a pod" was taken to be. */
  names: Record<string, number>;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Sums RSS and PSS over `pids`; a process gone meanwhile is left out (it costs nothing any more). */
export function memoryOf(pids: Iterable<number>): MemoryCost {
  const cost: MemoryCost = { processes: 0, rssKb: 0, pssKb: 0, names: {} };
  for (const pid of new Set(pids)) {
    let rollup: string;
    let name: string;
    try {
      rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    cost.processes++;
    cost.rssKb += field(rollup, 'Rss');
    cost.pssKb += field(rollup, 'Pss');
    cost.names[name] = (cost.names[name] ?? 0) + 1;
  }
  return cost;
}

export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    const ppid = Number(f[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function parentOf(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[1]) : undefined;
}

/** Gone, or a zombie: it runs no more instructions (its parent has not reaped it yet). */
export function processEnded(pid: number): boolean {
  const f = statFields(pid);
  return !f || f[0] === 'Z' || f[0] === 'X';
}

/** CPU time in ms of a process (utime+stime) and of its reaped children (cutime+cstime). */
export function cpuTimesMs(pid: number): { ownMs: number; reapedChildrenMs: number } {
  const f = statFields(pid);
  if (!f) throw new Error(`process ${pid} is gone`);
  // Fields 14-17 of stat(5); f[0] is field 3 (state).
  const tick = 1000 / 100; // USER_HZ is 100 on Linux for every architecture's /proc ABI
  return { ownMs: (Number(f[11]) + Number(f[12])) * tick, reapedChildrenMs: (Number(f[13]) + Number(f[14])) * tick };
}

/** VmRSS of a process in kB. */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

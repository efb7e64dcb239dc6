// What the whole node has used, read as cAdvisor reads the root cgroup for the kubelet's summary
// API (which metrics-server serves as NodeMetrics): CPU as the non-idle time of /proc/stat's `cpu`
// line (user, nice, system, irq, softirq, steal; guest time is inside user), memory as the working
// set, used memory minus inactive file pages (MemTotal - MemFree - Inactive(file) of /proc/meminfo).
import { readFileSync } from 'node:fs';
import type { UsageReading } from './containerUsage.js';

/** USER_HZ: /proc/stat counts in 10 ms ticks. */
const NS_PER_TICK = 10_000_000;

export function parseProcStatCpuNs(text: string): number | undefined {
  const line = /^cpu\s+(.*)$/m.exec(text)?.[1];
  if (!line) return undefined;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (Number.isFinite(b) ? b! : 0), 0);
  return busy * NS_PER_TICK;
}

export function parseMeminfoWorkingSet(text: string): number | undefined {
  const kb = (key: string) => {
    const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const free = kb('MemFree');
  if (total === undefined || free === undefined) return undefined;
  return Math.max(0, total - free - (kb('Inactive(file)') ?? 0));
}

export function readNodeUsage(): UsageReading | undefined {
  try {
    const cpuNs = parseProcStatCpuNs(readFileSync('/proc/stat', 'utf8'));
    const memoryBytes = parseMeminfoWorkingSet(readFileSync('/proc/meminfo', 'utf8'));
    return cpuNs === undefined || memoryBytes === undefined ? undefined : { cpuNs, memoryBytes };
  } catch {
    return undefined;
  }
}

import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** One cgroup hierarchy mounted under /sys/fs/cgroup (name '' when it is /sys/fs/cgroup itself). */
export interface CgroupMount {
  name: string;
  fstype: 'cgroup' | 'cgroup2';
  /** The controllers (v1 super options such as `memory` or `none,name=systemd`); '' for cgroup2. */
  options: string;
  dir: string;
}

/** Flags of a v1 hierarchy that are not controllers. */
const V1_FLAGS = new Set(['noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode', 'favordynmods']);

/** A v1 hierarchy's super options as a new mount of the same hierarchy must repeat them. */
function v1Options(superOptions: string): string {
  const opts = superOptions.split(',').filter((o) => o && o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent='));
  const hasController = opts.some((o) => !o.includes('=') && !V1_FLAGS.has(o));
  return (hasController ? opts : ['none', ...opts]).join(',');
}

let cached: { mounts: CgroupMount[]; links: { name: string; target: string }[] } | undefined;

/** The host's cgroup hierarchies, from /proc/self/mountinfo, and the symlinks beside them (cpu -> cpu,cpuacct). */
export function cgroupLayout(): { mounts: CgroupMount[]; links: { name: string; target: string }[] } {
  if (cached) return cached;
  const mounts: CgroupMount[] = [];
  let info = '';
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    /* no /proc: no cgroups */
  }
  for (const line of info.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = left.split(' ')[4] ?? '';
    const [fstype, , superOptions = ''] = right.split(' ');
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || !(mountPoint === CGROUP_ROOT || mountPoint.startsWith(CGROUP_ROOT + '/'))) continue;
    const name = mountPoint.slice(CGROUP_ROOT.length + 1);
    if (mounts.some((m) => m.name === name)) continue;
    mounts.push({ name, fstype, options: fstype === 'cgroup2' ? '' : v1Options(superOptions), dir: mountPoint });
  }
  const links: { name: string; target: string }[] = [];
  if (!mounts.some((m) => m.name === '')) {
    try {
      for (const entry of readdirSync(CGROUP_ROOT)) {
        const path = join(CGROUP_ROOT, entry);
        if (lstatSync(path).isSymbolicLink()) links.push({ name: entry, target: readlinkSync(path) });
      }
    } catch {
      /* no cgroup root */
    }
  }
  cached = { mounts, links };
  return cached;
}

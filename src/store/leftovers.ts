// Before a restarted agent recreates its pods, nothing of the previous run may remain. Its processes
// died with it (PR_SET_PDEATHSIG), and with them the pods' network namespaces and veths and the
// containers' mount namespaces; this verifies it and removes whatever is left: a recorded pause or
// container process still alive (same PID and start time), a veth still on the bridge, a mount
// under the state dir (memory-backed emptyDirs live in the host's mount namespace), a container's
// cgroup (resources.limits). The bridge, its route and its nftables table are kept: ensureBridge
// reuses the bridge and replaces the table when the first pod starts again.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../kubelet/config.js';
import { sweepCgroups } from '../runtime/cgroups.js';
import { bridgePorts } from '../runtime/network/bridge.js';
import { detachPodNetwork, vethNames } from '../runtime/network/podNetwork.js';
import { processRunning, processStartTime } from '../runtime/processTree.js';
import type { StoredPod } from './podStore.js';

/** The recorded process still runs (same PID and start time; a zombie waiting for init does not count). */
function alive(pid: number, startTime: number | undefined): boolean {
  const now = processStartTime(pid);
  return now !== undefined && (startTime === undefined || now === startTime) && processRunning(pid);
}

async function killLeftovers(stored: StoredPod[]): Promise<string[]> {
  const found: string[] = [];
  const procs = stored.flatMap((s) => [
    ...(s.sandbox ? [{ ...s.sandbox, what: `pause process of ${s.pod.metadata!.namespace}/${s.pod.metadata!.name}` }] : []),
    ...Object.entries(s.containers).flatMap(([name, c]) => (c.process ? [{ ...c.process, what: `container ${name} of ${s.pod.metadata!.name}` }] : [])),
  ]);
  for (const p of procs) {
    if (!alive(p.pid, p.startTime)) continue;
    found.push(`${p.what} (pid ${p.pid})`);
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  const deadline = Date.now() + 3000;
  while (procs.some((p) => alive(p.pid, p.startTime)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return found;
}

async function removeVeths(stored: StoredPod[], config: AgentConfig): Promise<string[]> {
  if (!config.podNetwork) return [];
  const names = new Set([...stored.map((s) => vethNames(s.pod.metadata!.uid!, config.bridgeName).host), ...(await bridgePorts(config.bridgeName))]);
  const removed: string[] = [];
  for (const name of names) if (await detachPodNetwork(name)) removed.push(`veth ${name}`);
  return removed;
}

/** Mount points under `dir` (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string): string[] {
  const found = mountsUnder(dir);
  for (const p of found) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  return found.map((p) => `mount ${p}`);
}

/** Removes every trace of the previous run; returns what it found (normally nothing). */
export async function cleanLeftovers(stored: StoredPod[], config: AgentConfig): Promise<string[]> {
  return [...(await killLeftovers(stored)), ...(await removeVeths(stored, config)), ...unmountAll(config.stateDir), ...sweepCgroups(config.cgroupParent)];
}

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { SandboxNetwork } from './network/podNetwork.js';
import { agentPidEnv, pauseBinary } from './paths.js';

/** A running pause process holding a pod's namespaces. */
export interface Sandbox {
  /** Host PID of the process whose net/ipc/uts namespaces containers join. */
  pid: number;
  hostname: string;
  hostNetwork: boolean;
  /** The shared PID namespace, when `shareProcessNamespace: true`. */
  sharedPidNamespace?: string;
  /** Resolves when the pause process has exited. */
  exited: Promise<void>;
}

export interface SandboxOptions {
  hostname: string;
  hostNetwork: boolean;
  sharePid: boolean;
  /** spec.securityContext.sysctls, set by the pause process in the pod's own namespaces. */
  sysctls?: { name: string; value: string }[];
  /** The pod network the pause process makes in its new netns; without, only loopback. */
  network?: SandboxNetwork;
}

/**
 * Starts the pause process, which makes new network, IPC and UTS namespaces itself (only IPC with
 * hostNetwork, which shares the host's network and hostname as in Kubernetes) and the pod network in
 * them, and waits until it has also set the hostname, so no container ever sees the host's name.
 * One process per sandbox: no `unshare`, no `ip`.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const pauseArgs = ['pause', '--unshare', opts.hostNetwork ? 'ipc' : 'net,ipc,uts'];
  if (!opts.hostNetwork) pauseArgs.push('--hostname', opts.hostname);
  const net = opts.hostNetwork ? undefined : opts.network;
  if (net) {
    pauseArgs.push('--veth', net.hostVeth, '--bridge', net.bridge, '--ip', net.ipCidr);
    if (net.route && net.gateway) pauseArgs.push('--route', net.route, '--gateway', net.gateway);
  }
  if (opts.sharePid) pauseArgs.push('--share-pid');
  for (const s of opts.sysctls ?? []) pauseArgs.push('--sysctl', `${s.name}=${s.value}`);
  const child = spawn(pauseBinary, pauseArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...agentPidEnv() },
  });
  const exited = once(child, 'exit').then(() => undefined);
  await waitForReady(child);
  const pid = child.pid!;
  return {
    pid,
    hostname: opts.hostNetwork ? '' : opts.hostname,
    hostNetwork: opts.hostNetwork,
    sharedPidNamespace: opts.sharePid ? `/proc/${pid}/ns/pid_for_children` : undefined,
    exited,
  };
}

async function waitForReady(child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`pause process exited (${code}) before it was ready: ${stderr.trim()}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
  child.stdout!.resume();
  child.stderr!.resume();
}

/** SIGTERM makes pause exit 0; SIGKILL after a short wait covers a stuck one. */
export async function stopSandbox(sandbox: Sandbox): Promise<void> {
  try {
    process.kill(sandbox.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(sandbox.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 2000);
  await sandbox.exited;
  clearTimeout(timer);
}

import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { SandboxNetwork } from './network/podNetwork.js';
import { processSpawner, type SpawnedProcess } from './spawner.js';

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
  /** Where the pause process's output FIFOs are made while it starts (the pod's directory; else the spawner's); none stays. */
  ioDir?: string;
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
  const { child, stdout, stderr } = await spawnPause(pauseArgs, opts.ioDir);
  const exited = child.exited.then(() => undefined);
  await waitForReady(child, stdout, stderr);
  const pid = child.pid;
  return {
    pid,
    hostname: opts.hostNetwork ? '' : opts.hostname,
    hostNetwork: opts.hostNetwork,
    sharedPidNamespace: opts.sharePid ? `/proc/${pid}/ns/pid_for_children` : undefined,
    exited,
  };
}

let fifoSerial = 0;

/**
 * The pause process, started by the spawner (spawner.ts) with its stdout and stderr on FIFOs
 * whose read ends the agent opened first; the FIFOs' names are gone once both ends are open.
 */
async function spawnPause(args: string[], ioDir: string | undefined): Promise<{ child: SpawnedProcess; stdout: Socket; stderr: Socket }> {
  const spawner = processSpawner();
  const dir = ioDir ?? spawner.fifoDir;
  const n = ++fifoSerial;
  const paths = [join(dir, `.pause-${process.pid}-${n}.out`), join(dir, `.pause-${process.pid}-${n}.err`)];
  await spawner.mkfifo(paths);
  const fds: number[] = [];
  try {
    for (const p of paths) fds.push(openSync(p, constants.O_RDONLY | constants.O_NONBLOCK));
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = await spawner.spawn({ args, env, fds: [{ fd: 1, path: paths[0]!, mode: 'write' }, { fd: 2, path: paths[1]!, mode: 'write' }] });
    const [stdout, stderr] = fds.map((fd) => new Socket({ fd, readable: true, writable: false })) as [Socket, Socket];
    return { child, stdout, stderr };
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err;
  } finally {
    for (const p of paths) rmSync(p, { force: true });
  }
}

async function waitForReady(child: SpawnedProcess, stdoutStream: Socket, stderrStream: Socket): Promise<void> {
  let stderr = '';
  stderrStream.on('data', (d: Buffer) => (stderr += d.toString()));
  // Its stderr ends with it: the reason it gave is read in full before it is reported.
  const stderrDone = new Promise<void>((r) => stderrStream.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let ready = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) {
        ready = true;
        stdoutStream.off('data', onData);
        resolve();
      }
    };
    stdoutStream.on('data', onData);
    void child.exited.then(async (exit) => {
      if (ready) return;
      await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 1000).unref())]);
      reject(new Error(`pause process exited (${exit.signal ? `signal ${exit.signal}` : exit.exitCode}) before it was ready: ${stderr.trim()}`));
    });
  });
  stdoutStream.resume();
  stderrStream.resume();
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

// Where a pods/portforward connection goes: the pod's network namespace, reached through the pause
// binary's portforward mode (Node cannot setns), one relay process per forwarded TCP connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { agentPidEnv, pauseBinary } from '../../runtime/paths.js';
import type { ApiServices } from '../context.js';
import { badRequest, notFound } from '../status.js';

export interface PortForwardTarget {
  /** The pod's uid: the kubelet's messages name the sandbox, tinylet has no other id for it. */
  podId: string;
  /** /proc/PID/ns/net of the pause process; undefined for hostNetwork pods (the host's namespace). */
  netns: string | undefined;
}

/** Errors before the upgrade, as the API server (404) and the kubelet (400, no running sandbox) give them. */
export function resolveTarget(services: ApiServices, namespace: string, name: string): PortForwardTarget {
  const pod = services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  const sandbox = services.kubelet.getWorker(namespace, name)?.sandbox;
  if (!sandbox || pod.status?.phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Unknown'}`);
  return { podId: pod.metadata?.uid ?? name, netns: sandbox.hostNetwork ? undefined : `/proc/${sandbox.pid}/ns/net` };
}

/**
 * The ports of a request (`ports=80,8080` or `ports=80&ports=8080`, the API server's
 * PodPortForwardOptions; `port` as the kubelet names it), each 1..65535.
 */
export function parsePorts(query: URLSearchParams): number[] {
  const raw = [...query.getAll('ports'), ...query.getAll('port')];
  const ports: number[] = [];
  for (const value of raw) {
    if (value === '') throw badRequest('query parameter "ports" cannot be empty');
    for (const p of value.split(',')) ports.push(parsePort(p.trim()));
  }
  return ports;
}

export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw badRequest(`unable to parse "${text}" as a port`);
  const port = Number(text);
  if (port < 1) throw badRequest(`port "${text}" must be > 0`);
  return port;
}

export interface Relay {
  /** Bytes from the client to the pod's port; end() half-closes the TCP connection. */
  write(data: Buffer): void;
  end(): void;
  /** Stops the relay at once (the client went away). */
  kill(): void;
}

export interface RelayEvents {
  data(chunk: Buffer): void;
  /**
   * The connection is over: error undefined when the pod side closed it, otherwise the kubelet's
   * message for the error stream (a failed connect, a relay that could not run).
   */
  done(error: string | undefined): void;
}

/** Connects to localhost:port inside the pod and relays both ways. Never throws: failures come as done(error). */
export function openRelay(target: PortForwardTarget, port: number, on: RelayEvents): Relay {
  const args = ['portforward', ...(target.netns ? ['--netns', target.netns] : []), '--port', String(port)];
  let child: ChildProcess;
  const wrap = (why: string) => `error forwarding port ${port} to pod ${target.podId}, uid : failed to execute portforward in network namespace "${target.netns ?? 'host'}": ${why}`;
  let finished = false;
  const finish = (error: string | undefined) => {
    if (finished) return;
    finished = true;
    on.done(error);
  };
  try {
    child = spawn(pauseBinary, args, { env: { ...agentPidEnv() }, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    setImmediate(() => finish(wrap((err as Error)?.message ?? String(err))));
    return { write: () => undefined, end: () => undefined, kill: () => undefined };
  }
  let stderr = '';
  child.stdin!.on('error', () => undefined);
  child.stdout!.on('data', (d: Buffer) => on.data(d));
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  child.on('error', (err) => finish(wrap(err.message)));
  // 'close' comes after stdout ended, so every byte was passed on before done().
  child.on('close', (code, signal) => finish(code === 0 ? undefined : wrap(stderr.trim() || `relay ended by ${signal ?? `exit code ${code}`}`)));
  return {
    write: (data) => {
      if (!finished && child.stdin!.writable) child.stdin!.write(data);
    },
    end: () => {
      if (child.stdin!.writable) child.stdin!.end();
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// `tinylet agent` as a child process (node dist/src/cli/main.js agent --config FILE), for tests that
// kill it, start a second one, or watch it fail to start: what an in-process Agent cannot show.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCgroupParent } from '../../src/runtime/cgroups.js';
import { removeBridge } from '../../src/runtime/network/bridge.js';
import { parseCidr } from '../../src/runtime/network/cidr.js';
import { CLI } from './agent.js';
import { isolatedConfig } from './testKubelet.js';

export interface ChildAgentConfig {
  dir: string;
  stateDir: string;
  socket: string;
  /** The config file (agent.yaml in `dir`). */
  file: string;
  bridgeName: string;
  podCIDR: string;
  cgroupParent: string;
  /** The config's YAML, with `extra` lines appended (or replacing `apiPort: null`). */
  yaml(extra?: string): string;
  /** Removes the bridge, the cgroup parent and the whole directory (after the agents are gone). */
  cleanup(): Promise<void>;
}

/** A config of its own (state dir, socket, bridge, pod CIDR, cgroup parent) in a new temp dir; no TCP listener. */
export function childAgentConfig(nodeName: string): ChildAgentConfig {
  const c = isolatedConfig();
  rmSync(c.stateDir, { recursive: true, force: true });
  const dir = mkdtempSync(join(tmpdir(), `tinylet-${nodeName}-`));
  const stateDir = join(dir, 'state');
  const socket = join(dir, 'api.sock');
  const yaml = (extra = '') =>
    `stateDir: ${stateDir}\nsocketPath: ${socket}\nbridgeName: ${c.bridgeName}\npodCIDR: ${c.podCIDR}\ncgroupParent: ${c.cgroupParent}\nnodeName: ${nodeName}\n${extra.includes('apiPort') ? '' : 'apiPort: null\n'}${extra}`;
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, yaml());
  return {
    dir,
    stateDir,
    socket,
    file,
    bridgeName: c.bridgeName,
    podCIDR: c.podCIDR,
    cgroupParent: c.cgroupParent,
    yaml,
    async cleanup() {
      await removeBridge(c.bridgeName, parseCidr(c.podCIDR)).catch(() => undefined);
      await removeCgroupParent(c.cgroupParent);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SocketReply {
  status: number;
  json: any;
  text: string;
}

/** One request over the agent's Unix socket (no keep-alive: a killed agent must not leave a pooled socket). */
export function socketRequest(socket: string, method: string, path: string, body?: unknown): Promise<SocketReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const req = request({ socketPath: socket, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface ChildAgent {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Spawns the agent without waiting for it (for starts that are meant to fail). */
export function spawnAgent(configFile: string): ChildAgent {
  const child = spawn('node', [CLI, 'agent', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

/** Spawns the agent and waits until it answers /healthz on its socket. */
export async function startChildAgent(configFile: string, socket: string, timeoutMs = 15_000): Promise<ChildAgent> {
  const a = spawnAgent(configFile);
  let gone = false;
  void a.exited.then(() => (gone = true));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !gone) {
    if ((await socketRequest(socket, 'GET', '/healthz').catch(() => undefined))?.status === 200) return a;
    await new Promise((r) => setTimeout(r, 25));
  }
  a.child.kill('SIGKILL');
  throw new Error(`agent did not start: ${a.output()}`);
}

/** SIGKILL, and wait until the process is gone. */
export async function killAgent(a: ChildAgent): Promise<void> {
  if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
  await a.exited;
}

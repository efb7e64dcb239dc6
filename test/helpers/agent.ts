import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { removeCgroupParent } from '../../src/runtime/cgroups.js';
import { join } from 'node:path';
import { execa } from 'execa';
import { Agent } from '../../src/agent/agent.js';
import type { AgentConfig } from '../../src/kubelet/config.js';
import type { Pod } from '../../src/api/types.js';
import { isolatedConfig, writeTestFile } from './testKubelet.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
export const KUBECTL = join(import.meta.dirname, '..', '..', '.cache', 'kubectl', 'kubectl');

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface TestAgent {
  agent: Agent;
  config: AgentConfig;
  socket: string;
  /** A request over the Unix socket (or the TCP listener with `tcp`). */
  http(method: string, path: string, opts?: { body?: unknown; contentType?: string; accept?: string; tcp?: boolean; token?: string | null }): Promise<HttpResult>;
  stop(): Promise<void>;
}

/** A real agent in this process: own state dir, socket, bridge and pod CIDR, TCP on a free loopback port. */
export async function startTestAgent(overrides: Partial<AgentConfig> = {}): Promise<TestAgent> {
  const config = isolatedConfig({ apiPort: 0, apiAddress: '127.0.0.1', ...overrides });
  config.socketPath = overrides.socketPath ?? join(config.stateDir, 'api.sock');
  const agent = await Agent.start(config);
  const http: TestAgent['http'] = (method, path, opts = {}) =>
    new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = opts.contentType ?? 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const token = opts.token === undefined ? agent.token : opts.token;
      if (opts.tcp && token) headers.Authorization = `Bearer ${token}`;
      const addr = agent.server.tcpAddress!;
      const req = opts.tcp
        ? httpsRequest({ host: addr.host, port: addr.port, path, method, headers, rejectUnauthorized: false })
        : httpRequest({ socketPath: config.socketPath, path, method, headers });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    agent,
    config,
    socket: config.socketPath,
    http,
    async stop() {
      await agent.stop({ keepPods: false, gracePeriodSeconds: 0 });
      await agent.kubelet.network.destroy();
      rmSync(config.stateDir, { recursive: true, force: true });
      await removeCgroupParent(config.cgroupParent);
    },
  };
}

/**
 * Creates the namespace through the API unless it exists: pods and objects go only into a namespace
 * that exists (NamespaceLifecycle admission), as in a cluster.
 */
export async function ensureNamespace(t: Pick<TestAgent, 'http'>, name: string): Promise<void> {
  const r = await t.http('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`namespace ${name} not created: ${r.status} ${r.text}`);
}

/**
 * A test agent and a temp dir for a describe block's manifests, started before its tests and
 * removed after them: `ctx.t` and `ctx.dir` are set once beforeAll has run.
 */
export function agentWithFiles(prefix: string): { t: TestAgent; dir: string; file: (name: string, text: string) => string } {
  const ctx = {} as { t: TestAgent; dir: string; file: (name: string, text: string) => string };
  ctx.file = (name, text) => writeTestFile(ctx.dir, name, text);
  beforeAll(async () => {
    ctx.t = await startTestAgent();
    ctx.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await ctx.t?.stop();
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}

/** Resolves once the pod satisfies `cond` (checked on every change). */
export function waitForApiPod(agent: Agent, ns: string, name: string, cond: (p: Pod | undefined) => boolean, timeoutMs = 20_000): Promise<Pod | undefined> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const p = agent.kubelet.getPod(ns, name);
      if (cond(p)) {
        done();
        resolve(p);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for pod ${ns}/${name}: ${JSON.stringify(agent.kubelet.getPod(ns, name)?.status)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      agent.kubelet.off('pod', check);
    };
    agent.kubelet.on('pod', check);
    check();
  });
}

export const isRunning = (p: Pod | undefined) => !!p?.status?.containerStatuses?.length && p.status.containerStatuses.every((c) => c.state?.running);

/** Runs the tinylet CLI against the agent's socket. */
export function cli(t: TestAgent, args: string[], input?: string) {
  return execa('node', [CLI, '-s', `unix://${t.socket}`, ...args], { reject: false, input, timeout: 60_000 });
}

export function podYaml(name: string, command: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: ${name}, tier: test}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox
    command: [sh, -c, ${JSON.stringify(command)}]
${extra}`;
}

/** Reads watch events from a streaming request until `until` says stop. */
export async function collectWatch(t: TestAgent, path: string, until: (events: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const req = httpRequest({ socketPath: t.socket, path, headers: { Accept: 'application/json' } }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
          if (until(events)) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`watch timed out with ${JSON.stringify(events.map((e) => e.type))}`));
    }, timeoutMs);
    req.on('error', () => undefined);
    req.end();
  });
}


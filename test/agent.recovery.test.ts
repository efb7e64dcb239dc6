// An agent killed with SIGKILL leaves nothing behind, and the next one brings its pods back.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { removeBridge } from '../src/runtime/network/bridge.js';
import { parseCidr } from '../src/runtime/network/cidr.js';
import { processRunning } from '../src/runtime/processTree.js';
import { mountsUnder } from '../src/store/leftovers.js';
import { CLI, collectWatch, type TestAgent } from './helpers/agent.js';
import { isolatedConfig } from './helpers/testKubelet.js';

const config = isolatedConfig();
const socket = join(config.stateDir, 'api.sock');
const configFile = join(config.stateDir, 'agent.yaml');
writeFileSync(configFile, `stateDir: ${config.stateDir}/state\nsocketPath: ${socket}\napiPort: 0\nbridgeName: ${config.bridgeName}\npodCIDR: ${config.podCIDR}\ncgroupParent: ${config.cgroupParent}\nnodeName: recovery-node\n`);
const marker = `${30000 + Math.floor(Math.random() * 9999)}`;

let agent: ChildProcess | undefined;
let output = '';

async function startAgent(): Promise<ChildProcess> {
  const child = spawn('node', [CLI, 'agent', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100; i++) {
    if ((await get('/healthz').catch(() => undefined))?.status === 200) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`agent did not start: ${output}`);
}

function get(path: string): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, headers: { Accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text, json: text.startsWith('{') ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tinylet = (args: string[], input?: string) => execa('node', [CLI, '-s', `unix://${socket}`, ...args], { reject: false, input });

async function waitPod(name: string, cond: (p: any) => boolean, timeoutMs = 20_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    last = (await get(`/api/v1/namespaces/default/pods/${name}`)).json;
    if (last?.kind === 'Pod' && cond(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`pod ${name}: ${JSON.stringify(last?.status)}`);
}

const pgrep = async (pattern: string) => (await execa('pgrep', ['-f', pattern], { reject: false })).stdout.split('\n').filter(Boolean);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    agent.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
  }
  // Anything the test left is killed with the agent (PDEATHSIG); the bridge is ours to remove.
  for (const m of mountsUnder(config.stateDir)) await execa('umount', ['-l', m], { reject: false });
  await removeBridge(config.bridgeName, parseCidr(config.podCIDR)).catch(() => undefined);
  rmSync(config.stateDir, { recursive: true, force: true });
  // An agent keeps its cgroup parent, as a node keeps its kubepods cgroup: this one is the test's.
  await removeCgroupParent(config.cgroupParent);
});

describe('agent restart after SIGKILL', () => {
  it('cleans up everything of the killed agent and recreates its pods, restartCount carried on', async () => {
    agent = await startAgent();
    const keeper = `apiVersion: v1
kind: Pod
metadata: {name: keeper, labels: {app: keeper}}
spec:
  terminationGracePeriodSeconds: 2
  volumes: [{name: scratch, emptyDir: {medium: Memory}}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo run-$(cat /proc/uptime | cut -d. -f1); exec sleep ${marker}']
    volumeMounts: [{name: scratch, mountPath: /scratch}]
---
apiVersion: v1
kind: Pod
metadata: {name: finished}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'echo finished once']}
`;
    expect((await tinylet(['apply', '-f', '-'], keeper)).stdout).toBe('pod/keeper created\npod/finished created');
    const before = await waitPod('keeper', (p) => p.status?.containerStatuses?.[0]?.state?.running);
    await waitPod('finished', (p) => p.status?.phase === 'Succeeded');
    await new Promise((r) => setTimeout(r, 300)); // the store writes on the next tick
    const stored = JSON.parse(readFileSync(join(config.stateDir, 'state', 'store', 'pods', 'default_keeper.json'), 'utf8'));
    const pausePid: number = stored.sandbox.pid;
    const containerPid: number = stored.containers.app.process.pid;
    const veth: string = stored.sandbox.hostVeth;
    expect(processRunning(pausePid)).toBe(true);
    expect(processRunning(containerPid)).toBe(true);
    expect((await execa('ip', ['link', 'show', veth], { reject: false })).exitCode).toBe(0);
    const scratch = mountsUnder(config.stateDir).filter((m) => m.endsWith('/volumes/scratch'));
    expect(scratch).toHaveLength(1);
    const oldRv = (await get('/api/v1/namespaces/default/pods')).json.metadata.resourceVersion;
    const processes = (await pgrep(`sleep ${marker}`)).length; // the container and its launcher
    expect(processes).toBeGreaterThan(0);

    agent.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
    // PR_SET_PDEATHSIG: the pods' processes die with their agent, and their netns and veth with them.
    for (let i = 0; i < 50 && (processRunning(pausePid) || processRunning(containerPid) || (await pgrep(`sleep ${marker}`)).length); i++) await new Promise((r) => setTimeout(r, 100));
    expect(processRunning(pausePid)).toBe(false);
    expect(processRunning(containerPid)).toBe(false);
    expect(await pgrep(`sleep ${marker}`)).toEqual([]);
    expect((await execa('ip', ['link', 'show', veth], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(socket)).toBe(true); // a stale socket, which the next agent replaces

    output = '';
    agent = await startAgent();
    // The API answers /healthz before the agent has finished its start (pods recovered, Service rules applied).
    for (let i = 0; i < 100 && !/recovered pods/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/recovered pods: 1 recreated, 1 finished ones kept/);
    const after = await waitPod('keeper', (p) => p.status?.containerStatuses?.[0]?.state?.running);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.creationTimestamp).toBe(before.metadata.creationTimestamp);
    const cs = after.status.containerStatuses[0];
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 255, reason: 'Unknown' });
    // One container, one sandbox, one tmpfs: nothing of the old run stacked up.
    expect(await pgrep(`sleep ${marker}`)).toHaveLength(processes);
    expect(mountsUnder(config.stateDir).filter((m) => m.endsWith('/volumes/scratch'))).toHaveLength(1);
    expect(processRunning(pausePid)).toBe(false);
    // Logs of the instance before the restart are still there.
    const previous = await tinylet(['logs', 'keeper', '-p']);
    expect(previous.stdout).toMatch(/^run-\d+$/);
    const reasons = (await get('/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dkeeper')).json.items.map((e: any) => e.reason);
    expect(reasons).toContain('SandboxChanged');
    // The finished pod is kept as it ended, and not run again.
    const finished = await waitPod('finished', () => true);
    expect(finished.status.phase).toBe('Succeeded');
    expect((await tinylet(['logs', 'finished'])).stdout).toBe('finished once');
    // resourceVersions go on from above the old ones; a watch from before the restart is told to relist.
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(oldRv));
    const t = { socket } as TestAgent;
    const old = await collectWatch(t, `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${oldRv}`, () => true);
    expect(old[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });

    // SIGTERM: containers are stopped gracefully, the pods stay stored for the next start.
    agent.kill('SIGTERM');
    const code = await new Promise((r) => agent!.once('exit', r));
    expect(code).toBe(0);
    expect(await pgrep(`sleep ${marker}`)).toEqual([]);
    expect(existsSync(join(config.stateDir, 'state', 'store', 'pods', 'default_keeper.json'))).toBe(true);
  });
});

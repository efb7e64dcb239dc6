// The stock kubectl, 1.20 and 1.32, on the agent's Node: get nodes (and -o wide), describe node
// (node, its pods, its events, its lease), top node, cordon and uncordon, as kubectl prints them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS as VERSIONS, KUBECTL_132, writeKubeconfig } from './helpers/kubectl.js';

const NODE = 'tinylet-test';
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(VERSIONS)('stock kubectl $version: nodes', ({ bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  let version: string;
  const kubectl = (args: string[]) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-node-'));
    kubeconfig = await writeKubeconfig(t, dir);
    version = (await t.http('GET', `/api/v1/nodes/${NODE}`)).json.status.nodeInfo.kubeletVersion;
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('gets nodes, plain and wide', async () => {
    const get = await kubectl(['get', 'nodes']);
    expect(get.stderr).toBe('');
    const lines = get.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
    expect(lines[1]).toMatch(new RegExp(`^${NODE} +Ready +<none> +\\d+s +${re(version)}$`));
    const wide = (await kubectl(['get', 'nodes', '-o', 'wide'])).stdout.split('\n');
    expect(wide[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION +INTERNAL-IP +EXTERNAL-IP +OS-IMAGE +KERNEL-VERSION +CONTAINER-RUNTIME$/);
    expect(wide[1]).toMatch(new RegExp(`^${NODE} +Ready +<none> +\\d+s +${re(version)} +${re(t.agent.kubelet.hostIP)} +<none> +.+ +${re(release())} +tinylet://\\S+$`));
    expect((await kubectl(['get', 'no', NODE, '-o', 'jsonpath={.status.nodeInfo.kubeletVersion}'])).stdout).toBe(version);
  });

  it.skipIf(!present)('cordons and uncordons', async () => {
    const cordon = await kubectl(['cordon', NODE]);
    expect([cordon.stdout, cordon.stderr]).toEqual([`node/${NODE} cordoned`, '']);
    expect((await kubectl(['cordon', NODE])).stdout).toBe(`node/${NODE} already cordoned`);
    expect((await kubectl(['get', 'nodes'])).stdout.split('\n')[1]).toMatch(new RegExp(`^${NODE} +Ready,SchedulingDisabled +<none> `));
    await new Promise((r) => setTimeout(r, 100));
    const describe = (await kubectl(['describe', 'node', NODE])).stdout;
    expect(describe).toMatch(/\nTaints: +node\.kubernetes\.io\/unschedulable:NoSchedule\n/);
    expect(describe).toMatch(/\nUnschedulable: +true\n/);
    const uncordon = await kubectl(['uncordon', NODE]);
    expect([uncordon.stdout, uncordon.stderr]).toEqual([`node/${NODE} uncordoned`, '']);
    expect((await kubectl(['get', 'nodes'])).stdout.split('\n')[1]).toMatch(new RegExp(`^${NODE} +Ready +<none> `));
  });

  it.skipIf(!present)('describes the node with its pods, events and lease', async () => {
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '32Mi' } } }] } } })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'web', isRunning);
    const r = await kubectl(['describe', 'node', NODE]);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`^Name: +${NODE}\nRoles: +<none>\nLabels: +beta\\.kubernetes\\.io/arch=`));
    expect(out).toMatch(new RegExp(`\n {20}kubernetes\\.io/hostname=${NODE}\n`));
    expect(out).toMatch(/\nTaints: +<none>\nUnschedulable: +false\n/);
    expect(out).toMatch(new RegExp(`\nLease:\n +HolderIdentity: +${NODE}\n +AcquireTime: +<unset>\n +RenewTime: +\\w{3}, `));
    expect(out).toMatch(/\n {2}Ready +True +.+ +KubeletReady +kubelet is posting ready status\n/);
    expect(out).toMatch(/\n {2}MemoryPressure +False +.+KubeletHasSufficientMemory +kubelet has sufficient memory available\n/);
    expect(out).toMatch(new RegExp(`\nAddresses:\n {2}InternalIP: +${re(t.agent.kubelet.hostIP)}\n {2}Hostname: +${NODE}\n`));
    expect(out).toMatch(/\nCapacity:\n {2}cpu: +\d+\n/);
    expect(out).toMatch(/\n {2}pods: +110\n/);
    expect(out).toMatch(new RegExp(`\n {2}Kernel Version: +${re(release())}\n`));
    expect(out).toMatch(/\n {2}Container Runtime Version: +tinylet:\/\/\S+\n/);
    expect(out).toMatch(new RegExp(`\n {2}Kubelet Version: +${re(version)}\n`));
    expect(out).toMatch(new RegExp(`\nPodCIDR: +${re(t.config.podCIDR)}\n`));
    expect(out).toMatch(/\nNon-terminated Pods: +\(1 in total\)\n/);
    expect(out).toMatch(/\n {2}default +web +100m \(\d+%\) +0 \(0%\) +32Mi \(\d+%\) +0 \(0%\) +\d+s\n/);
    expect(out).toMatch(/\nAllocated resources:\n/);
    expect(out).toMatch(/\n {2}Normal +Starting +\d+s +kubelet +Starting kubelet\.\n/);
    expect(out).toMatch(new RegExp(`\n {2}Normal +NodeReady +\\d+s +kubelet +Node ${NODE} status is now: NodeReady\n`));
    // kubectl 1.20 looks for node events by the node's name as uid only (the kubelet's); later ones by its uid too (the controllers').
    if (bin === KUBECTL_132) expect(out).toMatch(new RegExp(`\n {2}Normal +RegisteredNode +\\d+s +node-controller +Node ${NODE} event: Registered Node ${NODE} in Controller\n`));
    expect(out).toMatch(new RegExp(`\n {2}Normal +NodeNotSchedulable +\\d+s +kubelet +Node ${NODE} status is now: NodeNotSchedulable\n`));
  });

  it.skipIf(!present)('top node', async () => {
    const r = await kubectl(['top', 'node']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +CPU\(cores\) +CPU(%|\(%\)) +MEMORY\(bytes\) +MEMORY(%|\(%\)) *$/);
    expect(lines[1]).toMatch(new RegExp(`^${NODE} +\\d+m +\\d+% +\\d+Mi +\\d+% *$`));
    expect((await kubectl(['top', 'node', NODE])).stdout.split('\n')[1]).toMatch(new RegExp(`^${NODE} +\\d+m `));
  });
});

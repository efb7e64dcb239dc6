// `kubectl drain` with the stock kubectl, 1.20 and 1.32, against a real agent: kubectl cordons the
// node (PATCH /api/v1/nodes/NODE), lists its pods (fieldSelector spec.nodeName), evicts each
// through pods/eviction and waits for them to go. Three bare busybox pods behind a PDB of
// minAvailable 2: one is evicted, the other two get the 429 every 5 s until --timeout. Without the
// PDB the drain completes. Also `kubectl get pdb` and `kubectl create pdb`, which need no Node.
//
// The drain tests need the Node object (`/api/v1/nodes`): they are skipped while the registry
// serves no nodes.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { defaultConfig } from '../src/kubelet/config.js';
import { ApiRegistry } from '../src/server/registry/apiRegistry.js';
import { startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS as VERSIONS, writeKubeconfig } from './helpers/kubectl.js';


/** Whether this build serves the Node object (what drain reads and cordons). */
const nodesServed = !!new ApiRegistry(defaultConfig(), new Map()).lookup('', 'v1', 'nodes');

const isReady = (p: Pod | undefined) => !!p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const NAMES = ['web-a', 'web-b', 'web-c'];

const podYaml = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
`;

const pdbYaml = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

describe.each(VERSIONS)('stock kubectl $version: PodDisruptionBudgets and drain', ({ version, bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[], timeout = 60_000) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout });
  const node = () => t.config.nodeName;
  const pdbStatus = async () => (await t.http('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web')).json?.status;
  const until = async (ok: () => Promise<boolean>, timeoutMs = 15_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const startPods = async () => {
    const file = join(dir, 'pods.yaml');
    writeFileSync(file, NAMES.map(podYaml).join('---\n'));
    const r = await kubectl(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    for (const n of NAMES) await waitForApiPod(t.agent, 'default', n, isReady);
  };

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent({ podNetwork: false });
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-drain-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('applies a PDB and gets it: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE', async () => {
    const file = join(dir, 'pdb.yaml');
    writeFileSync(file, pdbYaml);
    const applied = await kubectl(['apply', '-f', file]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('poddisruptionbudget.policy/web created');
    await startPods();
    await until(async () => (await pdbStatus())?.disruptionsAllowed === 1);
    const got = (await kubectl(['get', 'pdb'])).stdout.split('\n');
    expect(got[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    expect(got[1]).toMatch(/^web\s+2\s+N\/A\s+1\s+\d+s$/);
    if (version === '1.32') {
      // 1.32 creates policy/v1 (1.20's `create pdb` writes policy/v1beta1, which is not served).
      const created = await kubectl(['create', 'pdb', 'other', '--selector=app=other', '--max-unavailable=25%']);
      expect(created.stderr).toBe('');
      expect(created.stdout).toBe('poddisruptionbudget.policy/other created');
      expect((await kubectl(['get', 'pdb', 'other', '--no-headers'])).stdout).toMatch(/^other\s+N\/A\s+25%\s+0\s+\d+s$/);
      const described = await kubectl(['describe', 'pdb', 'web']);
      expect(described.exitCode, described.stderr).toBe(0);
      expect(described.stdout).toMatch(/^Name:\s+web\nNamespace:\s+default\nMin available:\s+2\nSelector:\s+app=web\nStatus:\n\s+Allowed disruptions:\s+1\n\s+Current:\s+3\n\s+Desired:\s+2\n\s+Total:\s+3\n/);
      expect((await kubectl(['delete', 'pdb', 'other'])).stdout).toBe('poddisruptionbudget.policy "other" deleted');
    }
  });

  it.skipIf(!present || !nodesServed)('drain refuses bare pods without --force', async () => {
    expect((await t.http('GET', `/api/v1/nodes/${node()}`)).status).toBe(200);
    const r = await kubectl(['drain', node(), '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=12s']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(`node/${node()} cordoned`);
    expect(r.stderr).toMatch(/cannot delete Pods (that declare no controller|not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet) \(use --force to override\): default\/web-a, default\/web-b, default\/web-c/);
    for (const n of NAMES) expect(t.agent.kubelet.getPod('default', n)?.metadata?.deletionTimestamp).toBeUndefined();
    expect((await t.http('GET', `/api/v1/nodes/${node()}`)).json.spec.unschedulable).toBe(true);
  });

  it.skipIf(!present || !nodesServed)('drain --force evicts one pod, retries the 429 of the other two every 5 s, and times out', async () => {
    const r = await kubectl(['drain', node(), '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=12s'], 90_000);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(new RegExp(`node/${node()} (already )?cordoned`));
    const retries = r.stderr.match(/error when evicting pods\/"web-[abc]" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./g) ?? [];
    // Two pods, at 0 s, 5 s and 10 s each (the first attempts may race the budget's update).
    expect(retries.length).toBeGreaterThanOrEqual(4);
    expect(r.stderr).toMatch(/global timeout reached: 12s|timed out/);
    await until(async () => NAMES.filter((n) => t.agent.kubelet.getPod('default', n)).length === 2);
    const left = NAMES.filter((n) => t.agent.kubelet.getPod('default', n));
    expect(left).toHaveLength(2);
    for (const n of left) expect(t.agent.kubelet.getPod('default', n)?.metadata?.deletionTimestamp).toBeUndefined();
    expect(await pdbStatus()).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 });
  });

  it.skipIf(!present || !nodesServed)('without the PDB the drain completes; uncordon', async () => {
    expect((await kubectl(['delete', 'pdb', 'web'])).stdout).toBe('poddisruptionbudget.policy "web" deleted');
    const r = await kubectl(['drain', node(), '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=30s'], 90_000);
    expect(r.exitCode, r.stderr).toBe(0);
    // 1.20 ends with `node/NAME evicted` when it evicted, 1.32 with `node/NAME drained`.
    expect(r.stdout).toMatch(new RegExp(`node/${node()} ${version === '1.20' ? 'evicted' : 'drained'}$`));
    expect(NAMES.filter((n) => t.agent.kubelet.getPod('default', n))).toEqual([]);
    const un = await kubectl(['uncordon', node()]);
    expect(un.stdout).toBe(`node/${node()} uncordoned`);
    expect((await t.http('GET', `/api/v1/nodes/${node()}`)).json.spec.unschedulable).toBeFalsy();
  });
});

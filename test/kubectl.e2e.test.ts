// The stock kubectl (Debian's 1.20, .cache/kubectl/kubectl from scripts/install-kubectl.sh) as a client
// of a real agent, through the kubeconfig `tinylet kubeconfig` writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, isRunning, KUBECTL, podYaml, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { writeTestFile } from './helpers/testKubelet.js';

describe('stock kubectl 1.20 against the agent', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[], input?: string) =>
    execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { reject: false, input, env: { HOME: dir }, timeout: 60_000 });
  const file = (name: string, text: string) => writeTestFile(dir, name, text);

  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    const r = await cli(t, ['kubeconfig', '-o', kubeconfig]);
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a pod with create -f and lists it like a cluster does (get pods, -o wide, -o json, -l)', async () => {
    const r = await kubectl(['create', '-f', file('web.yaml', podYaml('web', 'echo hello from web; sleep 3600'))]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/web created');
    await waitForApiPod(t.agent, 'default', 'web', isRunning);
    const dup = await kubectl(['create', '-f', join(dir, 'web.yaml')]);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr).toBe('Error from server (AlreadyExists): error when creating "' + join(dir, 'web.yaml') + '": pods "web" already exists');

    const get = await kubectl(['get', 'pods']);
    expect(get.exitCode).toBe(0);
    const lines = get.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines[1]).toMatch(/^web\s+1\/1\s+Running\s+0\s+\d+s$/);

    const wide = await kubectl(['get', 'pods', '-o', 'wide']);
    const ip = t.agent.kubelet.getPod('default', 'web')!.status!.podIP!;
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide.stdout.split('\n')[1]).toMatch(new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+${ip.replace(/\./g, '\\.')}\\s+${t.config.nodeName}\\s+<none>\\s+<none>$`));

    const json = JSON.parse((await kubectl(['get', 'pods', '-o', 'json'])).stdout);
    expect(json.kind).toBe('List');
    expect(json.items[0]).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web' }, status: { phase: 'Running', podIP: ip } });
    const one = JSON.parse((await kubectl(['get', 'pod', 'web', '-o', 'json'])).stdout);
    expect(one.metadata.uid).toBe(t.agent.kubelet.getPod('default', 'web')!.metadata!.uid);

    await kubectl(['create', '-f', file('other.yaml', podYaml('other', 'sleep 3600'))]);
    expect((await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout).toBe('pod/web');
    expect((await kubectl(['get', 'pods', '-l', 'app in (web,other)', '-o', 'name'])).stdout).toBe('pod/other\npod/web');
    expect((await kubectl(['get', 'pods', '-l', 'app!=web', '-o', 'name'])).stdout).toBe('pod/other');
    const none = await kubectl(['get', 'pods', '-l', 'app=nothing']);
    expect(none.stderr).toBe('No resources found in default namespace.');
    expect((await kubectl(['get', 'po', 'nope'])).stderr).toBe('Error from server (NotFound): pods "nope" not found');
  });

  it('shows logs and describes the pod with its events', async () => {
    const logs = await kubectl(['logs', 'web']);
    expect(logs.stdout).toBe('hello from web');
    const d = await kubectl(['describe', 'pod', 'web']);
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toMatch(/^Name:\s+web\nNamespace:\s+default\n/);
    expect(d.stdout).toMatch(/\nStatus:\s+Running\n/);
    expect(d.stdout).toMatch(/\n {4}Restart Count:\s+0\n/);
    expect(d.stdout).toMatch(/\nEvents:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/);
    expect(d.stdout).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container app/);
  });

  it('applies a new pod, then an update of its labels and image (pod/x configured)', async () => {
    const path = file('applied.yaml', podYaml('applied', 'sleep 3600'));
    const created = await kubectl(['apply', '-f', path]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('pod/applied created');
    await waitForApiPod(t.agent, 'default', 'applied', isRunning);
    expect((await kubectl(['apply', '-f', path])).stdout).toBe('pod/applied unchanged');
    writeFileSync(path, podYaml('applied', 'sleep 3600').replace('tier: test', 'tier: prod').replace('image: busybox', 'image: busybox:stable'));
    const updated = await kubectl(['apply', '-f', path]);
    expect(updated.stderr).toBe('');
    expect(updated.stdout).toBe('pod/applied configured');
    const p = await waitForApiPod(t.agent, 'default', 'applied', (x) => x?.status?.containerStatuses?.[0]?.restartCount === 1 && isRunning(x));
    expect(p!.metadata!.labels).toEqual({ app: 'applied', tier: 'prod' });
    expect(p!.spec!.containers[0]!.image).toBe('busybox:stable');
    const label = await kubectl(['label', 'pod', 'applied', 'extra=yes']);
    expect(label.stdout).toBe('pod/applied labeled');
    writeFileSync(path, podYaml('applied', 'sleep 3600').replace('terminationGracePeriodSeconds: 3', 'terminationGracePeriodSeconds: 9'));
    const refused = await kubectl(['apply', '-f', path]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
  });

  it('patches a pod, then prints "patched (no change)" for the same patch and keeps its resourceVersion', async () => {
    const patch = ['patch', 'pod', 'web', '-p', '{"metadata":{"labels":{"a":"b"}}}'];
    const first = await kubectl(patch);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('pod/web patched');
    const rv = t.agent.kubelet.getPod('default', 'web')!.metadata!.resourceVersion;
    const second = await kubectl(patch);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('pod/web patched (no change)');
    expect(t.agent.kubelet.getPod('default', 'web')!.metadata!.resourceVersion).toBe(rv);
    const merge = await kubectl([...patch, '--type', 'merge']);
    expect(merge.stdout).toBe('pod/web patched (no change)');
    const json = await kubectl(['patch', 'pod', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/metadata/labels/a","value":"b"}]']);
    expect(json.stdout).toBe('pod/web patched (no change)');
    expect(t.agent.kubelet.getPod('default', 'web')!.metadata!.resourceVersion).toBe(rv);
  });

  it('alpha debug: kubectl 1.20 sends the EphemeralContainers kind Kubernetes 1.22 removed, and is told so', async () => {
    const r = await kubectl(['alpha', 'debug', 'web', '--image=busybox', '--target=app']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('EphemeralContainers');
    expect(r.stderr).toContain('is not Pod');
  });

  it('watches a pod going through a graceful delete (Terminating) and deletes with --grace-period', async () => {
    await kubectl(['create', '-f', file('doomed.yaml', podYaml('doomed', 'trap "sleep 1; exit 0" TERM; while true; do sleep 0.1; done'))]);
    await waitForApiPod(t.agent, 'default', 'doomed', isRunning);
    const watch = execa(KUBECTL, ['--kubeconfig', kubeconfig, 'get', 'pods', '-w', '--field-selector', 'metadata.name=doomed'], { reject: false, env: { HOME: dir } });
    let out = '';
    watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    const del = await kubectl(['delete', 'pod', 'doomed', '--grace-period=5']);
    const took = Date.now() - started;
    expect(del.stdout).toBe('pod "doomed" deleted');
    // kubectl waits for the pod to be gone: the trap takes ~1 s, well inside the 5 s grace period.
    expect(took).toBeGreaterThan(900);
    expect(took).toBeLessThan(4500);
    expect(t.agent.kubelet.getPod('default', 'doomed')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    watch.kill('SIGTERM');
    await watch;
    const rows = out.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+READY\s+STATUS/);
    expect(rows[1]).toMatch(/^doomed\s+1\/1\s+Running/);
    expect(rows.some((r) => /^doomed\s+\S+\s+Terminating\s/.test(r))).toBe(true);
    const events = t.agent.kubelet.events.list().filter((e) => e.involvedObject.name === 'doomed').map((e) => e.message ?? '');
    expect(events.some((m) => m.includes('grace period of 5s'))).toBe(true);
  });

  it('lists events and namespaces, and shows top pod from the metrics API', async () => {
    const ns = await kubectl(['get', 'ns']);
    expect(ns.stdout).toMatch(/kube-system\s+Active/);
    const ev = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web']);
    expect(ev.stdout.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(ev.stdout).toMatch(/Normal\s+Started\s+pod\/web\s+Started container app/);
    const top = await kubectl(['top', 'pod', 'web']);
    expect(top.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb\s+\d+m\s+\d+Mi\s*$/);
  });

  it('is refused without the token', async () => {
    writeFileSync(join(dir, 'bad'), (await import('node:fs')).readFileSync(kubeconfig, 'utf8').replace(/token: .*/, 'token: not-the-token'));
    const r = await execa(KUBECTL, ['--kubeconfig', join(dir, 'bad'), 'get', 'pods'], { reject: false, env: { HOME: dir } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});

// Namespaces as objects: the four built-in ones, create/get/list/watch/delete through the generic
// registry, NamespaceLifecycle admission (nothing in a missing or terminating namespace, the
// immortal ones never deleted), the namespace controller emptying a terminating namespace (pods
// with their grace periods, every stored kind) before the namespace goes, namespaces made at start
// for pods of a state dir that had no Namespace objects, and stock kubectl's output.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/agent/agent.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { objectsDir } from '../src/store/objectStore.js';
import { collectWatch, ensureNamespace, isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS, writeKubeconfig } from './helpers/kubectl.js';

const BUILT_IN = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

const sleeper = (name: string, command = 'exec sleep 3600', grace = 10) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command] }] },
});
/** Traps SIGTERM and exits 1 s after it. */
const TRAPPER = "trap 'sleep 1; exit 0' TERM; while true; do sleep 0.1; done";

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Namespaces through the API', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('has the four built-in namespaces, labelled, with the kubernetes finalizer, Active; discovery names ns and namespaces/status', async () => {
    const list = await t.http('GET', '/api/v1/namespaces');
    expect(list.status).toBe(200);
    expect(list.json.kind).toBe('NamespaceList');
    expect(list.json.items.map((n: any) => n.metadata.name)).toEqual(BUILT_IN);
    for (const n of list.json.items) {
      expect(n).toMatchObject({ kind: 'Namespace', apiVersion: 'v1', metadata: { labels: { 'kubernetes.io/metadata.name': n.metadata.name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
      expect(n.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(n.metadata.namespace).toBeUndefined();
    }
    const disc = (await t.http('GET', '/api/v1')).json.resources;
    expect(disc.filter((r: any) => r.name === 'namespaces')).toEqual([expect.objectContaining({ kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: expect.arrayContaining(['create', 'delete', 'get', 'list', 'watch']) })]);
    expect(disc.find((r: any) => r.name === 'namespaces/status')).toMatchObject({ verbs: ['get', 'patch', 'update'] });
    expect((await t.http('GET', '/api/v1/namespaces/kube-system/status')).json.metadata.name).toBe('kube-system');
    const bySelector = await t.http('GET', '/api/v1/namespaces?labelSelector=kubernetes.io%2Fmetadata.name%3Dkube-public');
    expect(bySelector.json.items.map((n: any) => n.metadata.name)).toEqual(['kube-public']);
  });

  it('creates, gets, lists and watches a namespace; defaults what the API server defaults', async () => {
    const list = await t.http('GET', '/api/v1/namespaces');
    const watched = collectWatch(t, `/api/v1/namespaces?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`, (evs) => evs.some((e) => e.object.metadata.name === 'team'));
    const created = await t.http('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { owner: 'me', 'kubernetes.io/metadata.name': 'other' } }, spec: { finalizers: [] }, status: { phase: 'Terminating' } } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ metadata: { name: 'team', labels: { owner: 'me', 'kubernetes.io/metadata.name': 'team' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect((await watched).map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'team']]);
    expect((await t.http('GET', '/api/v1/namespaces/team')).json.metadata.uid).toBe(created.json.metadata.uid);
    expect((await t.http('GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name)).toContain('team');
    expect((await t.http('POST', '/api/v1/namespaces', { body: { metadata: { name: 'team' } } })).json).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'namespaces "team" already exists' });
    const bad = await t.http('POST', '/api/v1/namespaces', { body: { metadata: { name: 'Not_A_Label' } } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toMatch(/^Namespace "Not_A_Label" is invalid: metadata.name: Invalid value: "Not_A_Label": a lowercase RFC 1123 label/);
    // Labels change through an update; the name label stays the name, the spec stays (namespaces/finalize changes it).
    const patched = await t.http('PATCH', '/api/v1/namespaces/team', { body: { metadata: { labels: { owner: 'you', 'kubernetes.io/metadata.name': 'x' } }, spec: { finalizers: [] } }, contentType: 'application/merge-patch+json' });
    expect(patched.json).toMatchObject({ metadata: { labels: { owner: 'you', 'kubernetes.io/metadata.name': 'team' } }, spec: { finalizers: ['kubernetes'] } });
    // A table for kubectl get.
    const table = await t.http('GET', '/api/v1/namespaces/team', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(table.json.rows[0].cells.slice(0, 2)).toEqual(['team', 'Active']);
    // Objects go into it.
    expect((await t.http('POST', '/api/v1/namespaces/team/configmaps', { body: { metadata: { name: 'c' }, data: { a: '1' } } })).status).toBe(201);
  });

  it('refuses a pod or an object in a namespace that does not exist (NamespaceLifecycle: 404 for namespaces)', async () => {
    for (const [path, body] of [
      ['/api/v1/namespaces/nowhere/pods', sleeper('p')],
      ['/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'c' } }],
      ['/apis/discovery.k8s.io/v1/namespaces/nowhere/endpointslices', { metadata: { name: 's' }, addressType: 'IPv4', endpoints: [] }],
    ] as const) {
      const r = await t.http('POST', path, { body });
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'namespaces "nowhere" not found', reason: 'NotFound', details: { name: 'nowhere', kind: 'namespaces' }, code: 404 });
    }
    // Even a dry run, and even an invalid pod: admission comes before validation.
    expect((await t.http('POST', '/api/v1/namespaces/nowhere/pods?dryRun=All', { body: sleeper('p') })).status).toBe(404);
    expect((await t.http('POST', '/api/v1/namespaces/nowhere/pods', { body: { metadata: { name: 'p' }, spec: {} } })).status).toBe(404);
    expect(t.agent.kubelet.listPods().some((p) => p.metadata?.namespace === 'nowhere')).toBe(false);
  });

  it('never deletes default, kube-system and kube-public; kube-node-lease is made again', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const r = await t.http('DELETE', `/api/v1/namespaces/${name}`);
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ reason: 'Forbidden', message: `namespaces "${name}" is forbidden: this namespace may not be deleted`, details: { name, kind: 'namespaces' } });
      expect((await t.http('GET', `/api/v1/namespaces/${name}`)).json.status.phase).toBe('Active');
    }
    const before = (await t.http('GET', '/api/v1/namespaces/kube-node-lease')).json.metadata.uid;
    expect((await t.http('DELETE', '/api/v1/namespaces/kube-node-lease')).status).toBe(200);
    const again = await until(
      () => t.http('GET', '/api/v1/namespaces/kube-node-lease'),
      (r) => r.status === 200 && r.json.metadata.uid !== before,
    );
    expect(again.json).toMatchObject({ status: { phase: 'Active' }, spec: { finalizers: ['kubernetes'] } });
    expect(again.json.metadata.deletionTimestamp).toBeUndefined();
  });

  it('deletes a namespace: Terminating while its pod drains (1 s after SIGTERM), its objects gone at once, nothing new admitted, then gone', async () => {
    await ensureNamespace(t, 'drain');
    expect((await t.http('POST', '/api/v1/namespaces/drain/pods', { body: sleeper('trapper', TRAPPER, 30) })).status).toBe(201);
    expect((await t.http('POST', '/api/v1/namespaces/drain/configmaps', { body: { metadata: { name: 'cfg' }, data: { a: '1' } } })).status).toBe(201);
    expect((await t.http('POST', '/api/v1/namespaces/drain/secrets', { body: { metadata: { name: 'sec' }, stringData: { a: '1' } } })).status).toBe(201);
    const svc = await t.http('POST', '/api/v1/namespaces/drain/services', { body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    expect(svc.status).toBe(201);
    expect((await t.http('POST', '/api/v1/namespaces/drain/endpoints', { body: { metadata: { name: 'manual' }, subsets: [] } })).status).toBe(201);
    await waitForApiPod(t.agent, 'drain', 'trapper', isRunning);
    // The trap is set once the shell runs its loop.
    await new Promise((r) => setTimeout(r, 300));

    const list = await t.http('GET', '/api/v1/namespaces');
    const watched = collectWatch(t, `/api/v1/namespaces?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`, (evs) => evs.some((e) => e.type === 'DELETED'), 30_000);
    const started = Date.now();
    const del = await t.http('DELETE', '/api/v1/namespaces/drain');
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ kind: 'Namespace', metadata: { name: 'drain', deletionTimestamp: expect.any(String) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });

    // The controller's pass: the pod deleting gracefully, everything else gone, the conditions saying what remains.
    const terminating = await until(
      () => t.http('GET', '/api/v1/namespaces/drain'),
      (r) => r.json?.status?.conditions?.some((c: any) => c.type === 'NamespaceContentRemaining'),
    );
    expect(terminating.json.status.phase).toBe('Terminating');
    expect(terminating.json.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: pods. has 1 resource instances'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
    ]);
    const pod = (await t.http('GET', '/api/v1/namespaces/drain/pods/trapper')).json;
    expect(pod.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 30 });
    for (const path of ['configmaps/cfg', 'secrets/sec', 'services/web', 'endpoints/manual']) expect((await t.http('GET', `/api/v1/namespaces/drain/${path}`)).status).toBe(404);
    expect((await t.http('GET', '/apis/discovery.k8s.io/v1/namespaces/drain/endpointslices')).json.items).toEqual([]);
    // The Service's cluster IP was given back.
    expect(t.agent.registry.serviceAllocations.ips.claim(svc.json.spec.clusterIP)).toBe('ok');
    t.agent.registry.serviceAllocations.ips.release(svc.json.spec.clusterIP);

    // Nothing new in a terminating namespace: 403 with the NamespaceTerminating cause.
    const late = await t.http('POST', '/api/v1/namespaces/drain/configmaps', { body: { metadata: { name: 'late' } } });
    expect(late.status).toBe(403);
    expect(late.json).toMatchObject({
      reason: 'Forbidden',
      message: 'configmaps "late" is forbidden: unable to create new content in namespace drain because it is being terminated',
      details: { name: 'late', kind: 'configmaps', causes: [{ reason: 'NamespaceTerminating', message: 'namespace drain is being terminated', field: 'metadata.namespace' }] },
    });
    const latePod = await t.http('POST', '/api/v1/namespaces/drain/pods', { body: sleeper('late') });
    expect(latePod.json.message).toBe('pods "late" is forbidden: unable to create new content in namespace drain because it is being terminated');
    const lateSlice = await t.http('POST', '/apis/discovery.k8s.io/v1/namespaces/drain/endpointslices', { body: { metadata: { name: 's' }, addressType: 'IPv4', endpoints: [] } });
    expect(lateSlice.json.details).toMatchObject({ name: 's', group: 'discovery.k8s.io', kind: 'endpointslices' });
    // A second delete answers the namespace as it is.
    expect((await t.http('DELETE', '/api/v1/namespaces/drain')).json.status.phase).toBe('Terminating');

    // Gone once the pod is: about 1 s after its SIGTERM.
    const gone = await until(() => t.http('GET', '/api/v1/namespaces/drain'), (r) => r.status === 404, 20_000);
    expect(gone.json).toMatchObject({ reason: 'NotFound', message: 'namespaces "drain" not found' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(10_000);
    expect(t.agent.kubelet.getPod('drain', 'trapper')).toBeUndefined();
    const events = await watched;
    const drain = events.filter((e) => e.object.metadata.name === 'drain');
    expect(drain[0]).toMatchObject({ type: 'MODIFIED', object: { status: { phase: 'Terminating' } } });
    expect(drain.at(-1)).toMatchObject({ type: 'DELETED', object: { spec: { finalizers: [] } } });
    // Its store file went too; the name can be used again.
    expect(existsSync(join(objectsDir(t.config.stateDir), 'namespaces', '_drain.json'))).toBe(false);
    await ensureNamespace(t, 'drain');
    expect((await t.http('GET', '/api/v1/namespaces/drain')).json.status.phase).toBe('Active');
  });
});

describe('Namespaces of a state dir from before Namespace objects', () => {
  it('are made at start for the stored pods', async () => {
    const t = await startTestAgent();
    let second: Agent | undefined;
    try {
      await ensureNamespace(t, 'legacy');
      expect((await t.http('POST', '/api/v1/namespaces/legacy/pods', { body: sleeper('old') })).status).toBe(201);
      await t.agent.stop({ keepPods: true, gracePeriodSeconds: 0 });
      // As an older agent left it: the pod stored, no Namespace object.
      rmSync(join(objectsDir(t.config.stateDir), 'namespaces'), { recursive: true, force: true });
      second = await Agent.start(t.config);
      const ns = second.objects.get('namespaces', undefined, 'legacy');
      expect(ns).toMatchObject({ metadata: { name: 'legacy', labels: { 'kubernetes.io/metadata.name': 'legacy' } }, status: { phase: 'Active' } });
      expect(second.objects.list('namespaces').map((n) => n.metadata?.name)).toEqual([...BUILT_IN, 'legacy']);
      expect(second.kubelet.getPod('legacy', 'old')).toBeDefined();
    } finally {
      await second?.stop({ keepPods: false, gracePeriodSeconds: 0 });
      await second?.kubelet.network.destroy();
      if (!second) await t.agent.kubelet.network.destroy();
      rmSync(t.config.stateDir, { recursive: true, force: true });
      await removeCgroupParent(t.config.cgroupParent);
    }
  });
});

describe.each(KUBECTL_VERSIONS)('stock kubectl $version: create, get and delete namespaces', ({ version, bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[]) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });
  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-ns-kubectl-'));
    kubeconfig = await writeKubeconfig(t, dir, { file: 'config' });
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)(`kubectl ${version}: create namespace, get ns, delete ns (waiting for it to go), refusals`, async () => {
    const name = `k${version.replace('.', '')}`;
    const created = await kubectl(['create', 'namespace', name]);
    expect([created.stdout, created.stderr, created.exitCode]).toEqual([`namespace/${name} created`, '', 0]);
    const again = await kubectl(['create', 'namespace', name]);
    expect(again.stderr).toBe(`Error from server (AlreadyExists): namespaces "${name}" already exists`);

    const get = await kubectl(['get', 'ns']);
    const rows = get.stdout.split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2))).toEqual([['default', 'Active'], [name, 'Active'], ['kube-node-lease', 'Active'], ['kube-public', 'Active'], ['kube-system', 'Active']]);
    expect((await kubectl(['get', 'namespace', name, '--show-labels'])).stdout).toMatch(new RegExp(`\\n${name}\\s+Active\\s+\\S+\\s+kubernetes.io/metadata.name=${name}$`));
    expect((await kubectl(['get', 'ns', name, '-o', 'jsonpath={.spec.finalizers}'])).stdout).toMatch(/^\["?kubernetes"?\]$/);

    // Refusals as the API server words them.
    const missing = await kubectl(['create', 'configmap', 'c', '-n', 'missing']);
    // kubectl 1.20 prints the server's error, 1.32's `create` wraps it.
    const failed = (message: string, reason: string) => (version === '1.20' ? `Error from server (${reason}): ${message}` : `error: failed to create configmap: ${message}`);
    expect(missing.stderr).toBe(failed('namespaces "missing" not found', 'NotFound'));
    const immortal = await kubectl(['delete', 'ns', 'default']);
    expect(immortal.stderr).toBe('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');

    // A pod inside that drains in 1 s: kubectl delete waits for the namespace to go.
    expect((await kubectl(['create', 'configmap', 'c', '-n', name])).stdout).toBe('configmap/c created');
    const pod = await t.http('POST', `/api/v1/namespaces/${name}/pods`, { body: sleeper('trapper', TRAPPER, 30) });
    expect(pod.status).toBe(201);
    await waitForApiPod(t.agent, name, 'trapper', isRunning);
    await new Promise((r) => setTimeout(r, 300));
    const deleting = kubectl(['delete', 'ns', name]);
    const shown = await until(() => kubectl(['get', 'ns', name]), (r) => /Terminating/.test(r.stdout), 10_000);
    expect(shown.stdout).toMatch(new RegExp(`\\n${name}\\s+Terminating\\s+\\S+$`));
    const refused = await kubectl(['create', 'configmap', 'late', '-n', name]);
    expect(refused.stderr).toBe(failed(`configmaps "late" is forbidden: unable to create new content in namespace ${name} because it is being terminated`, 'Forbidden'));
    const deleted = await deleting;
    expect([deleted.stdout, deleted.stderr, deleted.exitCode]).toEqual([`namespace "${name}" deleted`, '', 0]);
    expect((await kubectl(['get', 'ns', name])).stderr).toBe(`Error from server (NotFound): namespaces "${name}" not found`);
    expect((await kubectl(['get', 'pods', '-n', name])).stderr).toBe(`No resources found in ${name} namespace.`);
  });
});

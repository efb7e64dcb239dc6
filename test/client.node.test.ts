// The official JavaScript client, @kubernetes/client-node 1.4 (the last line that runs on Node 20),
// as a client of the agent over HTTPS with the kubeconfig `tinylet kubeconfig` writes: list, watch,
// create, log -f, exec, attach, port-forward, delete, and a drain (cordon, then evictions behind a
// PodDisruptionBudget) as a program written against the client would do them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { writeKubeconfig } from './helpers/kubectl.js';

const NS = 'default';

function pod(name: string, command: string, extra: Partial<k8s.V1Container> = {}, spec: Partial<k8s.V1PodSpec> = {}, labels: Record<string, string> = {}): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command], ...extra }], ...spec },
  };
}

/** A Writable that keeps what it is given, for the client's output streams. */
function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => Buffer.concat(chunks).toString();
  return w;
}

/** The HTTP status of a client call that failed (the client throws ApiException with `code`). */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('@kubernetes/client-node 1.4 against the agent', () => {
  let t: TestAgent;
  let dir: string;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-client-node-'));
    kc = new k8s.KubeConfig();
    kc.loadFromFile(await writeKubeconfig(t, dir));
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the node and namespaces, creates a pod and watches it to Running, follows its log, deletes it', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual([t.config.nodeName]);
    const namespaces = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(namespaces).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));

    const seen: string[] = [];
    const running = new Promise<void>((resolve, reject) => {
      void new k8s.Watch(kc)
        .watch(`/api/v1/namespaces/${NS}/pods`, { fieldSelector: 'metadata.name=js-counter' }, (type, obj: k8s.V1Pod) => {
          seen.push(type);
          if (obj.status?.containerStatuses?.[0]?.state?.running) resolve();
        }, (err) => (err ? reject(err) : undefined))
        .then((ctl) => running.finally(() => ctl.abort()));
    });
    const created = await core.createNamespacedPod({ namespace: NS, body: pod('js-counter', 'for i in 1 2 3; do echo line-$i; sleep 0.2; done; sleep 3600') });
    expect(created.metadata?.uid).toBeTruthy();
    await running;
    expect(seen[0]).toBe('ADDED');
    expect(seen).toContain('MODIFIED');

    const log = sink();
    const req = await new k8s.Log(kc).log(NS, 'js-counter', 'app', log, { follow: true });
    await vi.waitFor(() => expect(log.text()).toBe('line-1\nline-2\nline-3\n'), { timeout: 10_000, interval: 100 });
    req.abort();

    const listed = await core.listNamespacedPod({ namespace: NS, labelSelector: '' });
    expect(listed.items.map((p) => p.metadata?.name)).toContain('js-counter');
    await core.deleteNamespacedPod({ name: 'js-counter', namespace: NS });
    await vi.waitFor(async () => expect(await statusOf(core.readNamespacedPod({ name: 'js-counter', namespace: NS }))).toBe(404), { timeout: 10_000, interval: 100 });
  });

  it('execs with stdout, stderr, stdin and the exit status', async () => {
    await core.createNamespacedPod({ namespace: NS, body: pod('js-shell', 'sleep 3600') });
    await waitForApiPod(t.agent, NS, 'js-shell', isRunning);
    const out = sink();
    const err = sink();
    const status = await new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(kc).exec(NS, 'js-shell', 'app', ['sh', '-c', 'read x; echo "got $x"; echo oops >&2; exit 3'], out, err, Readable.from(['hello\n']), false, resolve);
    });
    expect(out.text()).toBe('got hello\n');
    expect(err.text()).toBe('oops\n');
    expect(status.status).toBe('Failure');
    expect(status.details?.causes?.[0]).toMatchObject({ reason: 'ExitCode', message: '3' });
  });

  it('attaches to a container with stdin: what it reads and writes goes through the attach', async () => {
    await core.createNamespacedPod({ namespace: NS, body: pod('js-attach', 'while read l; do echo "echo:$l"; done', { stdin: true }) });
    await waitForApiPod(t.agent, NS, 'js-attach', isRunning);
    const out = sink();
    const input = new PassThrough();
    const ws = await new k8s.Attach(kc).attach(NS, 'js-attach', 'app', out, sink(), input, false);
    input.write('one\n');
    await vi.waitFor(() => expect(out.text()).toContain('echo:one\n'), { timeout: 10_000, interval: 100 });
    input.write('two\n');
    await vi.waitFor(() => expect(out.text()).toContain('echo:two\n'), { timeout: 10_000, interval: 100 });
    ws.close();
    // Ending the attach leaves the container running, as in a cluster.
    await new Promise((r) => setTimeout(r, 300));
    expect(isRunning((await core.readNamespacedPod({ name: 'js-attach', namespace: NS })) as never)).toBe(true);
  });

  it('port-forwards to a port inside the pod\'s network namespace', async () => {
    await core.createNamespacedPod({ namespace: NS, body: pod('js-web', 'mkdir /www; echo served-from-pod > /www/index.html; exec httpd -f -p 8080 -h /www') });
    await waitForApiPod(t.agent, NS, 'js-web', isRunning);
    const fetchOnce = async () => {
      const out = sink();
      const input = new PassThrough();
      const ws = (await new k8s.PortForward(kc).portForward(NS, 'js-web', [8080], out, sink(), input)) as { close(): void };
      input.write('GET / HTTP/1.0\r\nHost: pod\r\n\r\n');
      try {
        await vi.waitFor(() => expect(out.text()).toContain('served-from-pod'), { timeout: 10_000, interval: 100 });
      } finally {
        ws.close();
      }
      return out.text();
    };
    // busybox httpd may take a moment to listen after the container is running.
    await vi.waitFor(async () => expect(await fetchOnce()).toMatch(/^HTTP\/1\.[01] 200/), { timeout: 15_000, interval: 300 });
    expect(await fetchOnce()).toContain('served-from-pod');
  });

  it('drains like kubectl does: cordon, then evictions that a PodDisruptionBudget limits', async () => {
    const names = ['js-web-a', 'js-web-b', 'js-web-c'];
    const readyProbe = { exec: { command: ['true'] }, periodSeconds: 1 };
    for (const n of names) await core.createNamespacedPod({ namespace: NS, body: pod(n, 'sleep 3600', { readinessProbe: readyProbe }, {}, { app: 'js-web' }) });
    const policy = kc.makeApiClient(k8s.PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({ namespace: NS, body: { metadata: { name: 'js-web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'js-web' } } } } });
    await vi.waitFor(async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'js-web', namespace: NS });
      expect(pdb.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 });
    }, { timeout: 20_000, interval: 200 });

    // Cordon: the node's spec.unschedulable, written back with a replace as controllers do.
    const node = await core.readNode({ name: t.config.nodeName });
    node.spec = { ...node.spec, unschedulable: true };
    const cordoned = await core.replaceNode({ name: t.config.nodeName, body: node });
    expect(cordoned.spec?.unschedulable).toBe(true);
    // The node lifecycle controller then adds the matching taint, as in a cluster.
    await vi.waitFor(async () => expect((await core.readNode({ name: t.config.nodeName })).spec?.taints?.map((x) => x.key)).toContain('node.kubernetes.io/unschedulable'), { timeout: 10_000, interval: 200 });

    const evict = (name: string) => core.createNamespacedPodEviction({ name, namespace: NS, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } } });
    expect(await statusOf(evict('js-web-a'))).toBe(200);
    // The budget allows no more until the evicted pod is gone and its status is recounted.
    const blocked = await evict('js-web-b').then(() => undefined, (err: { code?: number; body?: string }) => err);
    expect(blocked?.code).toBe(429);
    expect(JSON.parse(blocked!.body!)).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });

    await policy.deleteNamespacedPodDisruptionBudget({ name: 'js-web', namespace: NS });
    expect(await statusOf(evict('js-web-b'))).toBe(200);
    expect(await statusOf(evict('js-web-c'))).toBe(200);
    await vi.waitFor(async () => {
      const left = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=js-web' })).items;
      expect(left).toEqual([]);
    }, { timeout: 20_000, interval: 200 });

    // A pod created on the cordoned node waits Pending, unscheduled, until the node is uncordoned.
    await core.createNamespacedPod({ namespace: NS, body: pod('js-late', 'sleep 3600') });
    await vi.waitFor(async () => {
      const p = await core.readNamespacedPod({ name: 'js-late', namespace: NS });
      expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    }, { timeout: 10_000, interval: 200 });
    const again = await core.readNode({ name: t.config.nodeName });
    again.spec = { ...again.spec, unschedulable: false };
    await core.replaceNode({ name: t.config.nodeName, body: again });
    await waitForApiPod(t.agent, NS, 'js-late', isRunning);
  });
});

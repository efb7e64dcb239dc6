// Services end to end through a real agent (issue 13): the endpoints controller follows readiness
// and deletion, kube-proxy's rules follow the endpoints, the cluster DNS answers pods by their
// resolv.conf, and the notes' myapp-pod waits at Init:0/2 until its two Services exist.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execInContainer } from '../src/runtime/exec.js';
import { cli, startTestAgent, type TestAgent } from './helpers/agent.js';

let t: TestAgent;
beforeAll(async () => {
  t = await startTestAgent();
});
afterAll(async () => {
  const table = t?.agent.world.services.proxy?.table;
  await t?.stop();
  // The agent's Service table and DNS listener went with it.
  if (table) expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' })).not.toContain(table);
});

const get = (url: string, timeoutMs = 2000): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

const pod = (ns: string, name: string) => t.agent.kubelet.getPod(ns, name);
const inPod = (ns: string, name: string, script: string) => {
  const w = t.agent.kubelet.getWorker(ns, name)!;
  return execInContainer(w.records.at(-1)!.process!, ['sh', '-c', script], { env: { PATH: '/.tinylet/busybox:/usr/bin:/bin' }, timeoutMs: 10_000 });
};
const endpointIPs = (ns: string, name: string): string[] =>
  ((t.agent.objects.get('endpoints', ns, name) as any)?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();

function webPod(name: string, grace = 0): object {
  const cmd = `mkdir /www; echo ${name} > /www/index.html; touch /tmp/ready; exec httpd -f -p 8080 -h /www`;
  return {
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: {
      terminationGracePeriodSeconds: grace,
      containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', cmd], ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 } }],
    },
  };
}

describe('a Service in front of two busybox httpd pods', () => {
  let clusterIP = '';
  let nodePort = 0;
  beforeAll(async () => {
    for (const n of ['web-a', 'web-b']) expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: webPod(n) })).status).toBe(201);
    const svc = await t.http('POST', '/api/v1/namespaces/default/services', { body: { kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } } });
    expect(svc.status, svc.text).toBe(201);
    clusterIP = svc.json.spec.clusterIP;
    nodePort = svc.json.spec.ports[0].nodePort;
    await vi.waitFor(() => expect(endpointIPs('default', 'web')).toHaveLength(2), { timeout: 15_000, interval: 100 });
    // Endpoints written is not rules applied: the proxy's nft run comes after, later on a loaded machine.
    await t.agent.world.services.proxy!.flush();
  });

  it('lists both Ready pods in its Endpoints and EndpointSlice, with the named target port resolved', async () => {
    const ips = ['web-a', 'web-b'].map((n) => pod('default', n)!.status!.podIP!).sort();
    expect(endpointIPs('default', 'web')).toEqual(ips);
    const ep = (await t.http('GET', '/api/v1/namespaces/default/endpoints/web')).json;
    expect(ep.subsets[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets[0].addresses[0].targetRef).toMatchObject({ kind: 'Pod', namespace: 'default' });
    const slices = (await t.http('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb')).json.items;
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints.map((e: any) => e.conditions)).toEqual([{ ready: true, serving: true, terminating: false }, { ready: true, serving: true, terminating: false }]);
  });

  it('balances connections from the host to the ClusterIP and the NodePort across both', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 24; i++) {
      const who = await get(`http://${i % 2 ? clusterIP : '127.0.0.1'}:${i % 2 ? 80 : nodePort}/`);
      seen.set(who, (seen.get(who) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['web-a', 'web-b']);
    for (const n of seen.values()) expect(n).toBeGreaterThanOrEqual(3);
  });

  it('is reached from a pod by its DNS name, and a pod reaches itself through it (hairpin)', async () => {
    const r = await inPod('default', 'web-a', 'for i in 1 2 3 4 5 6 7 8; do timeout 3 wget -qO- http://web/; done');
    expect(r.exitCode, r.output).toBe(0);
    expect(new Set(r.output.trim().split('\n'))).toEqual(new Set(['web-a', 'web-b']));
    const conf = await inPod('default', 'web-a', 'cat /etc/resolv.conf');
    expect(conf.output).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
    expect(conf.output).toContain('options ndots:5');
  });

  it('drops a pod that turns unready, and takes it back when it is ready again', async () => {
    await inPod('default', 'web-a', 'rm /tmp/ready');
    const a = pod('default', 'web-a')!.status!.podIP!;
    await vi.waitFor(() => expect(endpointIPs('default', 'web')).not.toContain(a), { timeout: 10_000, interval: 100 });
    // kube-proxy applies what the endpoints say a moment later (one nft transaction).
    await t.agent.world.services.proxy!.flush();
    const slice = (await t.http('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices')).json.items.find((s: any) => s.metadata.labels['kubernetes.io/service-name'] === 'web');
    expect(slice.endpoints.find((e: any) => e.addresses[0] === a).conditions).toEqual({ ready: false, serving: false, terminating: false });
    for (let i = 0; i < 10; i++) expect(await get(`http://${clusterIP}/`)).toBe('web-b');
    await inPod('default', 'web-a', 'touch /tmp/ready');
    await vi.waitFor(() => expect(endpointIPs('default', 'web')).toContain(a), { timeout: 10_000, interval: 100 });
  });

  it('drops a pod the moment its deletion starts, while it still runs', async () => {
    // A pod that traps SIGTERM and keeps serving for its grace period, as a slow app does.
    const slow = { ...webPod('web-slow', 5) } as any;
    slow.spec.containers[0].command = ['sh', '-c', 'mkdir /www; echo web-slow > /www/index.html; touch /tmp/ready; httpd -p 8080 -h /www; trap "sleep 3; exit 0" TERM; while true; do sleep 1; done'];
    await t.http('POST', '/api/v1/namespaces/default/pods', { body: slow });
    await vi.waitFor(() => expect(endpointIPs('default', 'web')).toHaveLength(3), { timeout: 15_000, interval: 100 });
    const ip = pod('default', 'web-slow')!.status!.podIP!;
    await t.http('DELETE', '/api/v1/namespaces/default/pods/web-slow');
    await vi.waitFor(() => expect(endpointIPs('default', 'web')).not.toContain(ip), { timeout: 2000, interval: 20 });
    await t.agent.world.services.proxy!.flush();
    expect(pod('default', 'web-slow')?.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    const slice = (await t.http('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices')).json.items.find((s: any) => s.metadata.labels['kubernetes.io/service-name'] === 'web');
    expect(slice.endpoints.find((e: any) => e.addresses[0] === ip)?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    for (let i = 0; i < 6; i++) expect(await get(`http://${clusterIP}/`)).not.toBe('web-slow');
    await vi.waitFor(() => expect(pod('default', 'web-slow')).toBeUndefined(), { timeout: 15_000, interval: 100 });
  });
});

describe('cluster DNS', () => {
  it('answers Services, headless Services and pods, forwards nothing off the cluster domain it can answer, NXDOMAIN for the unknown', async () => {
    await t.http('POST', '/api/v1/namespaces/default/services', { body: { kind: 'Service', metadata: { name: 'hl' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
    await vi.waitFor(() => expect(endpointIPs('default', 'hl').length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 100 });
    const web = (await t.http('GET', '/api/v1/namespaces/default/services/web')).json.spec.clusterIP;
    const r = await inPod('default', 'web-b', 'nslookup web.default.svc.cluster.local; echo ---; nslookup hl; echo ---; nslookup nothing-here; echo rc=$?');
    const [svc, headless, missing] = r.output.split('---');
    expect(svc).toContain(web);
    for (const ip of endpointIPs('default', 'hl')) expect(headless).toContain(ip);
    expect(missing).toMatch(/NXDOMAIN|can't find/);
    const ip = pod('default', 'web-a')!.status!.podIP!;
    const podName = `${ip.replaceAll('.', '-')}.default.pod.cluster.local`;
    expect((await inPod('default', 'web-b', `nslookup ${podName}`)).output).toContain(ip);
  });
});

describe("the notes' myapp-pod", () => {
  it('stays Init:0/2 until myservice and mydb exist, then runs', async () => {
    const manifest = parseAllDocuments(readFileSync(join(import.meta.dirname, 'examples', 'myapp-pod.yaml'), 'utf8'))[0]!.toJS();
    manifest.spec.initContainers.forEach((c: any) => (c.command[2] = c.command[2].replace('sleep 2', 'sleep 0.5')));
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: manifest })).status).toBe(201);
    await vi.waitFor(() => expect(pod('default', 'myapp-pod')?.status?.initContainerStatuses?.[0]?.state?.running).toBeDefined(), { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(pod('default', 'myapp-pod')!.status!.initContainerStatuses![0]!.state!.running).toBeDefined();
    // Both Services of the notes, in one file, applied as the notes do.
    const services = ['myservice:80:9376', 'mydb:3306:9377'].map((s) => s.split(':')).map(([name, port, target]) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n  - protocol: TCP\n    port: ${port}\n    targetPort: ${target}\n`).join('---\n');
    const applied = await cli(t, ['apply', '-f', '-'], services);
    expect(applied.stdout, applied.stderr).toBe('service/myservice created\nservice/mydb created');
    await vi.waitFor(() => expect(pod('default', 'myapp-pod')?.status?.containerStatuses?.[0]?.state?.running).toBeDefined(), { timeout: 20_000, interval: 200 });
    // The line reaches the log a moment after the container is running.
    await vi.waitFor(async () => expect((await t.http('GET', '/api/v1/namespaces/default/pods/myapp-pod/log')).text).toContain('The app is running!'), { timeout: 5000, interval: 100 });
    await t.http('DELETE', '/api/v1/namespaces/default/pods/myapp-pod?gracePeriodSeconds=0');
  }, 60_000);
});

describe('ConfigMaps and Secrets through the API', () => {
  it('reach a pod as env, envFrom and volumes, and a volume follows an update', async () => {
    await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: { kind: 'ConfigMap', metadata: { name: 'app' }, data: { MODE: 'fast', 'app.conf': 'level=1' } } });
    await t.http('POST', '/api/v1/namespaces/default/secrets', { body: { kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 's3cret' } } });
    const body = {
      kind: 'Pod',
      metadata: { name: 'consumer' },
      spec: {
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: 'conf', configMap: { name: 'app', items: [{ key: 'app.conf', path: 'app.conf' }] } }, { name: 'sec', secret: { secretName: 'db', defaultMode: 0o400 } }],
        containers: [{
          name: 'c', image: 'busybox', command: ['sh', '-c', 'echo "mode=$CFG_MODE pw=$PW"; exec sleep 600'],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app' } }],
          env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'sec', mountPath: '/etc/db' }],
        }],
      },
    };
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body })).status).toBe(201);
    await vi.waitFor(() => expect(pod('default', 'consumer')?.status?.containerStatuses?.[0]?.state?.running).toBeDefined(), { timeout: 15_000 });
    await vi.waitFor(async () => expect((await t.http('GET', '/api/v1/namespaces/default/pods/consumer/log')).text).toBe('mode=fast pw=s3cret\n'), { timeout: 5000 });
    const files = await inPod('default', 'consumer', 'cat /etc/app/app.conf; echo; cat /etc/db/password; echo; stat -L -c %a /etc/db/password');
    expect(files.output.trim()).toBe('level=1\ns3cret\n400');
    await t.http('PATCH', '/api/v1/namespaces/default/configmaps/app', { body: { data: { 'app.conf': 'level=2' } }, contentType: 'application/merge-patch+json' });
    await vi.waitFor(async () => expect((await inPod('default', 'consumer', 'cat /etc/app/app.conf')).output).toBe('level=2'), { timeout: 5000, interval: 200 });
    await t.http('DELETE', '/api/v1/namespaces/default/pods/consumer?gracePeriodSeconds=0');
  });

  it('a pod whose ConfigMap does not exist waits with CreateContainerConfigError and starts once it is created', async () => {
    const body = { kind: 'Pod', metadata: { name: 'waiter' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'later', key: 'x' } } }] }] } };
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body })).status).toBe(201);
    await vi.waitFor(() => expect(pod('default', 'waiter')?.status?.containerStatuses?.[0]?.state?.waiting).toMatchObject({ reason: 'CreateContainerConfigError', message: 'configmap "later" not found' }), { timeout: 10_000 });
    await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: { kind: 'ConfigMap', metadata: { name: 'later' }, data: { x: '1' } } });
    await vi.waitFor(() => expect(pod('default', 'waiter')?.status?.containerStatuses?.[0]?.state?.running).toBeDefined(), { timeout: 5000 });
    await t.http('DELETE', '/api/v1/namespaces/default/pods/waiter?gracePeriodSeconds=0');
  });
});

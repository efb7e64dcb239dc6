// The stock kubectl, 1.20 (Debian's, .cache/kubectl) and 1.32 (the Google Cloud SDK's), against a
// real agent with the pod network: ConfigMaps, Secrets, Services, Endpoints and EndpointSlices as a
// cluster prints them. kubectl 1.32's typed clients (`create configmap`, `create secret`,
// `create service`) send protobuf bodies, which the registry decodes (registry/protobuf.ts).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Pod } from '../src/api/types.js';
import { startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS as VERSIONS, writeKubeconfig } from './helpers/kubectl.js';


const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lines = (s: string) => s.split('\n');
const isReady = (p: Pod | undefined) => !!p?.status?.podIP && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

const servicesYaml = (port: number) => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: ${port}
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    command: [httpd, -f, -p, "8080"]
    readinessProbe:
      tcpSocket:
        port: 8080
      periodSeconds: 1
`;

const podXYaml = `apiVersion: v1
kind: Pod
metadata:
  name: x
  labels: {app: x}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    command: [httpd, -f, -p, "8081"]
    ports:
    - containerPort: 8081
`;

describe.each(VERSIONS)('stock kubectl $version: ConfigMaps, Secrets, Services, Endpoints', ({ version, bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  let podIP: string;
  const kubectl = (args: string[]) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });
  /** Retries a kubectl command until its result satisfies `ok` (the endpoints controller writes asynchronously). */
  const eventually = async (args: string[], ok: (out: string) => boolean, timeoutMs = 15_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await kubectl(args);
      if (ok(r.stdout) || Date.now() > end) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
  };

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-svc-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('creates a ConfigMap from a literal and a file, and a generic Secret; gets and describes them', async () => {
    expect((await kubectl(['version', '--client'])).stdout).toContain(`v${version}.`);
    const file = join(dir, 'extra.txt');
    writeFileSync(file, 'b=2\n');
    const cm = await kubectl(['create', 'configmap', 'app', '--from-literal=a=1', `--from-file=${file}`]);
    expect(cm.stderr).toBe('');
    expect(cm.stdout).toBe('configmap/app created');
    const yaml = await kubectl(['get', 'cm', 'app', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: v1\ndata:\n {2}a: "1"\n {2}extra\.txt: \|\n {4}b=2\nkind: ConfigMap\n/);
    expect(parse(yaml.stdout)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'app', namespace: 'default' }, data: { a: '1', 'extra.txt': 'b=2\n' } });

    const secret = await kubectl(['create', 'secret', 'generic', 'db', '--from-literal=password=x']);
    expect(secret.stderr).toBe('');
    expect(secret.stdout).toBe('secret/db created');
    const stored = await t.http('GET', '/api/v1/namespaces/default/secrets/db');
    expect(stored.json).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('x').toString('base64') } });
    // Bytes that are not UTF-8 survive the body (a protobuf one from 1.32) unchanged.
    const blob = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    writeFileSync(join(dir, 'blob'), blob);
    expect((await kubectl(['create', 'secret', 'generic', 'bin', `--from-file=blob=${join(dir, 'blob')}`])).stdout).toBe('secret/bin created');
    expect((await t.http('GET', '/api/v1/namespaces/default/secrets/bin')).json.data).toEqual({ blob: blob.toString('base64') });
    expect((await kubectl(['delete', 'secret', 'bin'])).stdout).toBe('secret "bin" deleted');
    const get = lines((await kubectl(['get', 'secrets'])).stdout);
    expect(get[0]).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE$/);
    expect(get).toContainEqual(expect.stringMatching(/^db\s+Opaque\s+1\s+\d+s$/));

    const dcm = await kubectl(['describe', 'configmap', 'app']);
    expect(dcm.exitCode, dcm.stderr).toBe(0);
    expect(dcm.stdout).toMatch(/^Name:\s+app\nNamespace:\s+default\nLabels:\s+<none>\nAnnotations:\s+<none>\n\nData\n====\n/);
    expect(dcm.stdout).toContain('a:\n----\n1\n');
    expect(dcm.stdout).toContain('extra.txt:\n----\nb=2\n');
    expect(dcm.stdout).toMatch(/\nEvents:\s+<none>\n?$/);
    const dsec = await kubectl(['describe', 'secret', 'db']);
    expect(dsec.exitCode, dsec.stderr).toBe(0);
    expect(dsec.stdout).toMatch(/^Name:\s+db\nNamespace:\s+default\n/);
    expect(dsec.stdout).toMatch(/\nType:\s+Opaque\n\nData\n====\npassword:\s+1 bytes/);
  });

  it.skipIf(!present)('applies a Service and its Pod: get svc, get ep, get endpointslices, describe svc, unchanged, configured', async () => {
    const path = join(dir, 'web.yaml');
    writeFileSync(path, servicesYaml(80));
    const applied = await kubectl(['apply', '-f', path]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('service/web created\npod/web created');
    const pod = await waitForApiPod(t.agent, 'default', 'web', isReady);
    podIP = pod!.status!.podIP!;
    const clusterIP = (await t.http('GET', '/api/v1/namespaces/default/services/web')).json.spec.clusterIP;
    expect(clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const svc = lines((await kubectl(['get', 'svc'])).stdout);
    expect(svc[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(svc).toContainEqual(expect.stringMatching(/^kubernetes\s+ClusterIP\s+\d+\.\d+\.\d+\.1\s+<none>\s+443\/TCP\s+\d+s$/));
    expect(svc).toContainEqual(expect.stringMatching(new RegExp(`^web\\s+ClusterIP\\s+${re(clusterIP)}\\s+<none>\\s+80/TCP\\s+\\d+s$`)));

    const ep = await eventually(['get', 'ep', 'web'], (o) => o.includes(`${podIP}:8080`));
    expect(lines(ep.stdout)[0]).toMatch(/^NAME\s+ENDPOINTS\s+AGE$/);
    expect(lines(ep.stdout)[1]).toMatch(new RegExp(`^web\\s+${re(podIP)}:8080\\s+\\d+s$`));

    // kubectl 1.20 reads discovery.k8s.io/v1 too: `get` is generic, whatever version discovery prefers.
    for (const resource of ['endpointslices', 'endpointslices.v1.discovery.k8s.io']) {
      const slices = await eventually(['get', resource, '-l', 'kubernetes.io/service-name=web'], (o) => o.includes(podIP));
      expect(slices.stderr).toBe('');
      expect(lines(slices.stdout)[0]).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
      expect(lines(slices.stdout)[1]).toMatch(new RegExp(`^web-[a-z0-9]{5}\\s+IPv4\\s+8080\\s+${re(podIP)}\\s+\\d+s$`));
    }

    const described = await kubectl(['describe', 'svc', 'web']);
    expect(described.exitCode, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/^Name:\s+web\nNamespace:\s+default\n/);
    expect(described.stdout).toMatch(/\nSelector:\s+app=web\nType:\s+ClusterIP\n/);
    expect(described.stdout).toMatch(new RegExp(`\\nIP:\\s+${re(clusterIP)}\\n`));
    expect(described.stdout).toMatch(/\nPort:\s+<unset>\s+80\/TCP\nTargetPort:\s+8080\/TCP\n/);
    expect(described.stdout).toMatch(new RegExp(`\\nEndpoints:\\s+${re(podIP)}:8080\\n`));
    expect(described.stdout).toMatch(/\nSession Affinity:\s+None\n/);

    expect((await kubectl(['apply', '-f', path])).stdout).toBe('service/web unchanged\npod/web unchanged');
    writeFileSync(path, servicesYaml(81));
    const edited = await kubectl(['apply', '-f', path]);
    expect(edited.stderr).toBe('');
    expect(edited.stdout).toBe('service/web configured\npod/web unchanged');
    expect(lines((await kubectl(['get', 'svc', 'web'])).stdout)[1]).toMatch(new RegExp(`^web\\s+ClusterIP\\s+${re(clusterIP)}\\s+<none>\\s+81/TCP\\s`));
    writeFileSync(path, servicesYaml(80));
    expect((await kubectl(['apply', '-f', path])).stdout).toBe('service/web configured\npod/web unchanged');
  });

  it.skipIf(!present)('exposes a pod by its labels, and as a NodePort in the agent\'s serviceNodePortRange', async () => {
    const exposed = await kubectl(['expose', 'pod', 'web', '--port=80', '--target-port=8080', '--name=web2']);
    expect(exposed.stderr).toBe('');
    expect(exposed.stdout).toBe('service/web2 exposed');
    const web2 = JSON.parse((await kubectl(['get', 'svc', 'web2', '-o', 'json'])).stdout);
    expect(web2.spec).toMatchObject({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] });
    const ep = await eventually(['get', 'ep', 'web2'], (o) => o.includes(`${podIP}:8080`));
    expect(lines(ep.stdout)[1]).toMatch(new RegExp(`^web2\\s+${re(podIP)}:8080\\s`));

    writeFileSync(join(dir, 'x.yaml'), podXYaml);
    expect((await kubectl(['apply', '-f', join(dir, 'x.yaml')])).stdout).toBe('pod/x created');
    // With no --port, kubectl takes the pod's containerPort.
    const np = await kubectl(['expose', 'pod', 'x', '--type=NodePort']);
    expect(np.stderr).toBe('');
    expect(np.stdout).toBe('service/x exposed');
    const row = lines((await kubectl(['get', 'svc', 'x'])).stdout)[1]!;
    const m = /^x\s+NodePort\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+8081:(\d+)\/TCP\s+\d+s$/.exec(row);
    expect(m, row).not.toBeNull();
    const { min, max } = t.config.serviceNodePortRange;
    expect(Number(m![1])).toBeGreaterThanOrEqual(min);
    expect(Number(m![1])).toBeLessThanOrEqual(max);

    // `create service` is a typed client too (protobuf from 1.32 on).
    const created = await kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('service/np created');
    const stored = (await t.http('GET', '/api/v1/namespaces/default/services/np')).json;
    expect(stored.spec).toMatchObject({ type: 'NodePort', selector: { app: 'np' }, ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }] });
    expect(stored.spec.ports[0].nodePort).toBeGreaterThanOrEqual(min);
    expect(stored.spec.ports[0].nodePort).toBeLessThanOrEqual(max);
    expect((await kubectl(['delete', 'svc', 'np'])).stdout).toBe('service "np" deleted');
  });

  it.skipIf(!present)('cluster-info names the control plane and CoreDNS (kube-system Services labelled kubernetes.io/cluster-service=true)', async () => {
    const r = await kubectl(['cluster-info']);
    expect(r.exitCode, r.stderr).toBe(0);
    const port = t.agent.server.tcpAddress!.port;
    const out = lines(r.stdout.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(out[0]).toBe(`Kubernetes control plane is running at https://127.0.0.1:${port}`);
    expect(out[1]).toBe(`CoreDNS is running at https://127.0.0.1:${port}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`);
    expect(out).toContain("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
  });

  // kubectl 1.20's describe reads the Endpoints, 1.32's the EndpointSlices mirrored from them.
  (present ? it : it.skip)('describe svc kubernetes shows the API server\'s endpoint', async () => {
    const d = await kubectl(['describe', 'svc', 'kubernetes']);
    expect(d.exitCode, d.stderr).toBe(0);
    // The API's listener on the pod bridge's gateway, which pods reach through the Service (the loopback one is the host's).
    const gateway = t.agent.kubelet.network.gateway.replace(/\./g, '\\.');
    expect(d.stdout).toMatch(new RegExp(`\\nEndpoints:\\s+${gateway}:\\d+\\n`));
  });

  it.skipIf(!present)('gets svc,ep,cm in one command, -o wide with SELECTOR, watches a delete, deletes svc and cm', async () => {
    const all = await kubectl(['get', 'svc,ep,cm']);
    expect(all.stderr).toBe('');
    const sections = all.stdout.split('\n\n').map(lines);
    expect(sections).toHaveLength(3);
    expect(sections[0]![0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(sections[0]!.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['service/kubernetes', 'service/web', 'service/web2', 'service/x']);
    expect(sections[1]![0]).toMatch(/^NAME\s+ENDPOINTS\s+AGE$/);
    expect(sections[1]).toContainEqual(expect.stringMatching(new RegExp(`^endpoints/web\\s+${re(podIP)}:8080\\s+\\d+s$`)));
    expect(sections[2]![0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(sections[2]).toContainEqual(expect.stringMatching(/^configmap\/app\s+2\s+\d+s$/));

    const wide = lines((await kubectl(['get', 'svc', '-o', 'wide'])).stdout);
    expect(wide[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    expect(wide).toContainEqual(expect.stringMatching(/^kubernetes\s+ClusterIP\s+\S+\s+<none>\s+443\/TCP\s+\d+s\s+<none>$/));
    expect(wide).toContainEqual(expect.stringMatching(/^web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\d+s\s+app=web$/));
    expect(wide).toContainEqual(expect.stringMatching(/^x\s+NodePort\s+\S+\s+<none>\s+8081:\d+\/TCP\s+\d+s\s+app=x$/));

    const watch = execa(bin, ['--kubeconfig', kubeconfig, 'get', 'svc', '-w', '--output-watch-events'], { reject: false, env: { HOME: dir } });
    let out = '';
    watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 100 && !cond(); i++) await new Promise((res) => setTimeout(res, 100));
    };
    await until(() => /^ADDED\s+x\s/m.test(out));
    expect((await kubectl(['delete', 'svc', 'web2'])).stdout).toBe('service "web2" deleted');
    await until(() => /^DELETED\s+web2\s/m.test(out));
    watch.kill('SIGTERM');
    await watch;
    const rows = lines(out.trim());
    expect(rows[0]).toMatch(/^EVENT\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(rows).toContainEqual(expect.stringMatching(/^ADDED\s+web2\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s/));
    expect(rows).toContainEqual(expect.stringMatching(/^DELETED\s+web2\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s/));

    expect((await kubectl(['delete', 'svc', 'web'])).stdout).toBe('service "web" deleted');
    expect((await kubectl(['get', 'svc', 'web'])).stderr).toBe('Error from server (NotFound): services "web" not found');
    // The endpoints controller removes what it wrote for the Service.
    let epGone = await kubectl(['get', 'ep', 'web']);
    for (let i = 0; i < 60 && epGone.exitCode === 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      epGone = await kubectl(['get', 'ep', 'web']);
    }
    expect(epGone.stderr).toBe('Error from server (NotFound): endpoints "web" not found');
    expect((await kubectl(['delete', 'cm', 'app'])).stdout).toBe('configmap "app" deleted');
    expect((await kubectl(['get', 'cm'])).stderr).toBe('No resources found in default namespace.');
  });
});

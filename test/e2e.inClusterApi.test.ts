// In-cluster clients: a pod finds the API as client-go's rest.InClusterConfig does (the
// KUBERNETES_SERVICE_HOST/PORT the kubelet injects, the service account token and ca.crt) and
// reaches it through the `kubernetes` Service's ClusterIP:443, DNATed to the agent's pod listener on
// the bridge's gateway. TLS verifies against ca.crt for the ClusterIP and kubernetes.default.svc; the
// token is the pod's default service account, which RBAC's bootstrap policy gives discovery only.
// Both a small node client and kubectl 1.32 (its in-cluster config) run inside the pod.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from '../src/api/types.js';
import { podServiceEnv, serviceEnvVars } from '../src/kubelet/serviceEnv.js';
import { containerEnv } from '../src/runtime/env.js';
import { inClusterNames, loadOrCreateCert } from '../src/server/tls.js';
import { startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_132 } from './helpers/kubectl.js';

const USER = 'system:serviceaccount:default:default';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What an in-cluster client does, in node: env, token and ca.crt, then GETs through the Service. */
const NODE_CLIENT = `
const fs = require('fs'), https = require('https');
const token = fs.readFileSync('${SA_DIR}/token', 'utf8');
const ca = fs.readFileSync('${SA_DIR}/ca.crt');
const port = process.env.KUBERNETES_SERVICE_PORT;
const get = (host, path) => new Promise((resolve) => {
  const started = Date.now();
  const req = https.get({ host, port, path, ca, headers: { Authorization: 'Bearer ' + token }, timeout: 10000 }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => resolve({ host, path, status: res.statusCode, body: JSON.parse(body), ms: Date.now() - started }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => resolve({ host, path, error: e.code || e.message, ms: Date.now() - started }));
});
(async () => {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const out = [
    await get(host, '/version'),
    await get(host, '/api/v1/namespaces/default/pods'),
    await get('kubernetes.default.svc', '/version'),
    await get('kubernetes.default.svc.cluster.local', '/apis'),
  ];
  for (const r of out) console.log(JSON.stringify(r));
})();
`;

/** kubectl's in-cluster config: no kubeconfig, the service account files and the env. */
const KUBECTL_SCRIPT = `
k=${KUBECTL_132}
echo "version: $($k get --raw /version | tr -d '\\n ')"
echo "can-i: $($k auth can-i list pods)"
echo "get: $($k get pods 2>&1)"
echo "seconds: $SECONDS"
`;

/** The pod listener's address dialled directly, not through the Service: the pod firewall drops it. */
const directScript = (ip: string, port: number) => `if nc -w 3 ${ip} ${port} </dev/null; then echo direct: connected; else echo direct: refused; fi`;

function clientPod(gateway: string, port: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'in-cluster', namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'node', image: 'node', command: ['node', '-e', NODE_CLIENT] },
        // HOME for kubectl's discovery cache (a host-backed image shows /root empty and read-only to it).
        { name: 'kubectl', image: 'busybox', command: ['sh', '-c', KUBECTL_SCRIPT], env: [{ name: 'HOME', value: '/tmp' }] },
        { name: 'env', image: 'busybox', command: ['sh', '-c', 'env | grep ^KUBERNETES_ | sort'] },
        { name: 'direct', image: 'busybox', command: ['sh', '-c', directScript(gateway, port)] },
      ],
    },
  };
}

const finished = (p: Pod | undefined) => p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed';

describe('a pod reaches the API through the kubernetes Service', () => {
  let t: TestAgent;
  let clusterIP = '';
  const logs = async (container: string) => (await t.http('GET', `/api/v1/namespaces/default/pods/in-cluster/log?container=${container}`)).text;

  beforeAll(async () => {
    t = await startTestAgent();
    clusterIP = (await t.http('GET', '/api/v1/namespaces/default/services/kubernetes')).json.spec.clusterIP;
    const listener = t.agent.server.podAddress!;
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: clientPod(listener.host, listener.port) })).status).toBe(201);
    // Three kubectl runs and a node start: minutes on a loaded 2-core box, seconds otherwise.
    await waitForApiPod(t.agent, 'default', 'in-cluster', finished, 240_000);
  }, 270_000);
  afterAll(async () => t?.stop());

  it('injects the kubernetes Service variables, as the kubelet does', async () => {
    const port = `tcp://${clusterIP}:443`;
    expect((await logs('env')).trim().split('\n')).toEqual([
      `KUBERNETES_PORT=${port}`,
      `KUBERNETES_PORT_443_TCP=${port}`,
      `KUBERNETES_PORT_443_TCP_ADDR=${clusterIP}`,
      'KUBERNETES_PORT_443_TCP_PORT=443',
      'KUBERNETES_PORT_443_TCP_PROTO=tcp',
      `KUBERNETES_SERVICE_HOST=${clusterIP}`,
      'KUBERNETES_SERVICE_PORT=443',
      'KUBERNETES_SERVICE_PORT_HTTPS=443',
    ]);
  });

  it('serves the pod over TLS its ca.crt verifies, by ClusterIP and by Service name, as its service account', async () => {
    const results = (await logs('node')).trim().split('\n').map((l) => JSON.parse(l));
    expect(results.map((r) => [r.host, r.path, r.status ?? r.error])).toEqual([
      [clusterIP, '/version', 200],
      [clusterIP, '/api/v1/namespaces/default/pods', 403],
      ['kubernetes.default.svc', '/version', 200],
      ['kubernetes.default.svc.cluster.local', '/apis', 200],
    ]);
    expect(results[0].body).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect(results[1].body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'pods' },
      message: `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "default"`,
    });
  });

  it.skipIf(!existsSync(KUBECTL_132))('kubectl in the pod uses its in-cluster config: discovery yes, pods no', async () => {
    const out = await logs('kubectl');
    expect(out).toMatch(/^version: \{"major":"1",/m);
    expect(out).toMatch(/^can-i: no$/m);
    expect(out).toContain(`get: Error from server (Forbidden): pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "default"`);
  });

  it('points the Service at the pod listener on the gateway, which pods cannot reach but through the Service', async () => {
    const gateway = t.agent.kubelet.network.gateway;
    const pod = t.agent.server.podAddress!;
    expect(pod.host).toBe(gateway);
    const ep = (await t.http('GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json;
    expect(ep.subsets).toEqual([{ addresses: [{ ip: gateway }], ports: [{ name: 'https', port: pod.port, protocol: 'TCP' }] }]);
    // Dropped, not refused: busybox nc gives up after its timeout.
    expect((await logs('direct')).trim().split('\n').sort()).toEqual(['direct: refused', 'nc: timed out']);
    // Nothing listens on every address: the loopback listener and the gateway's only.
    const listening = execFileSync('ss', ['-Hltn', `sport = :${pod.port}`], { encoding: 'utf8' });
    expect(listening).not.toMatch(/(0\.0\.0\.0|\*|\[::\]):\d+/);
    // The host itself reaches the gateway listener (the `kubernetes` ClusterIP from the host too).
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: gateway, port: pod.port }, () => (s.destroy(), resolve()));
      s.on('error', reject);
    });
  });

  it('does not serve the gateway listener to the networks of the host\'s other interfaces', async () => {
    // A machine on another link of the host, with a route to the pod CIDR through it: a netns and a veth.
    const id = process.pid % 250;
    const ns = `tlt-outside-${process.pid}`;
    const [hostEnd, farEnd] = [`tlo${process.pid}a`.slice(0, 15), `tlo${process.pid}b`.slice(0, 15)];
    const [hostIP, farIP] = [`10.253.${id}.1`, `10.253.${id}.2`];
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    const dial = (to: string, port: number) => {
      try {
        execFileSync('ip', ['netns', 'exec', ns, 'timeout', '3', 'bash', '-c', `</dev/tcp/${to}/${port}`], { stdio: 'pipe' });
        return 'connected';
      } catch (err) {
        return (err as { status?: number }).status === 124 ? 'timed out' : 'refused';
      }
    };
    const control = createServer((s) => s.destroy());
    try {
      ip('netns', 'add', ns);
      ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', farEnd, 'netns', ns);
      ip('addr', 'add', `${hostIP}/30`, 'dev', hostEnd);
      ip('link', 'set', hostEnd, 'up');
      ip('-n', ns, 'addr', 'add', `${farIP}/30`, 'dev', farEnd);
      ip('-n', ns, 'link', 'set', farEnd, 'up');
      ip('-n', ns, 'route', 'add', t.config.podCIDR, 'via', hostIP);
      await new Promise<void>((resolve) => control.listen(0, hostIP, resolve));
      // The link works (a listener on the host's own address there answers) ...
      expect(dial(hostIP, (control.address() as { port: number }).port)).toBe('connected');
      // ... but the gateway's API is not served to it.
      expect(dial(t.agent.kubelet.network.gateway, t.agent.server.podAddress!.port)).toBe('timed out');
    } finally {
      control.close();
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
  }, 30_000);
});

describe('the serving certificate', () => {
  it('is made again, with the same key, when it lacks the in-cluster names: old trust still verifies it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinylet-cert-'));
    try {
      const old = loadOrCreateCert(dir, '127.0.0.1');
      expect(new X509Certificate(old.cert).checkHost('kubernetes.default.svc')).toBeUndefined();
      const names = inClusterNames({ serviceCIDR: '10.96.0.0/16', clusterDomain: 'cluster.local', podCIDR: '10.244.0.0/16' });
      expect(names).toEqual({ dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips: ['10.96.0.1', '10.244.0.1'] });
      const now = loadOrCreateCert(dir, '127.0.0.1', names);
      expect(now.key).toBe(old.key);
      const cert = new X509Certificate(now.cert);
      for (const n of names.dns) expect(cert.checkHost(n)).toBe(n);
      for (const ip of [...names.ips, '127.0.0.1']) expect(cert.checkIP(ip)).toBe(ip);
      // Kept as it is once it names everything.
      expect(loadOrCreateCert(dir, '127.0.0.1', names).cert).toBe(now.cert);
      // kubectl trusting the old certificate (an old kubeconfig) verifies the new one: Go finds the old
      // one as its issuer (same subject and key). OpenSSL-based clients do not: they need the new file.
      if (!existsSync(KUBECTL_132)) return;
      const server = createHttpsServer({ cert: now.cert, key: now.key }, (_req, res) => res.end('{"major":"1"}'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as { port: number }).port;
        writeFileSync(join(dir, 'old.crt'), old.cert);
        const r = await execa(KUBECTL_132, ['--server', `https://127.0.0.1:${port}`, '--certificate-authority', join(dir, 'old.crt'), '--token', 'x', 'get', '--raw', '/version'], { reject: false, env: { HOME: dir } });
        expect([r.stdout, r.stderr]).toEqual(['{"major":"1"}', '']);
      } finally {
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Service environment variables (envvars.FromServices)', () => {
  const service = (namespace: string, name: string, spec: Record<string, unknown>) => ({ metadata: { namespace, name }, spec }) as Service;
  const all: Service[] = [
    service('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    service('shop', 'my-db', { clusterIP: '10.96.0.7', ports: [{ port: 5432 }, { name: 'metrics-udp', port: 9125, protocol: 'UDP' }] }),
    service('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    service('shop', 'alias', { type: 'ExternalName', externalName: 'example.com' }),
    service('other', 'elsewhere', { clusterIP: '10.96.0.9', ports: [{ port: 80 }] }),
  ];
  const inNs = (ns: string) => all.filter((s) => s.metadata!.namespace === ns);
  const pod = (enableServiceLinks?: boolean) => ({ metadata: { namespace: 'shop', name: 'p' }, spec: { containers: [], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) } }) as Pod;

  it('names every port of the namespace\'s Services with a cluster IP, and always the master Service', () => {
    expect(serviceEnvVars(all[1]!)).toEqual([
      ['MY_DB_SERVICE_HOST', '10.96.0.7'],
      ['MY_DB_SERVICE_PORT', '5432'],
      ['MY_DB_SERVICE_PORT_METRICS_UDP', '9125'],
      ['MY_DB_PORT', 'tcp://10.96.0.7:5432'],
      ['MY_DB_PORT_5432_TCP', 'tcp://10.96.0.7:5432'],
      ['MY_DB_PORT_5432_TCP_PROTO', 'tcp'],
      ['MY_DB_PORT_5432_TCP_PORT', '5432'],
      ['MY_DB_PORT_5432_TCP_ADDR', '10.96.0.7'],
      ['MY_DB_PORT_9125_UDP', 'udp://10.96.0.7:9125'],
      ['MY_DB_PORT_9125_UDP_PROTO', 'udp'],
      ['MY_DB_PORT_9125_UDP_PORT', '9125'],
      ['MY_DB_PORT_9125_UDP_ADDR', '10.96.0.7'],
    ]);
    const names = (p: Pod) => [...new Set(podServiceEnv(p, inNs).map(([k]) => k.split('_')[0]))];
    expect(names(pod())).toEqual(['KUBERNETES', 'MY']);
    expect(names(pod(false))).toEqual(['KUBERNETES']);
    // The container's own env wins, and may refer to them.
    const env = containerEnv(pod(), { name: 'c', env: [{ name: 'MY_DB_SERVICE_PORT', value: 'mine' }, { name: 'URL', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }] }, {}, 'p', { envFrom: [], serviceEnv: podServiceEnv(pod(), inNs), valueFrom: () => undefined });
    expect([env.MY_DB_SERVICE_PORT, env.URL, env.MY_DB_SERVICE_HOST]).toEqual(['mine', 'https://10.96.0.1:443', '10.96.0.7']);
  });
});

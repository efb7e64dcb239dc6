// The Service proxy (src/proxy/) on real pods, real nftables and the real routes of a test node. All
// traffic goes to loopback, to the host's own addresses or to ClusterIPs of this test's service CIDR,
// which the rules DNAT to this test's pods; nothing is sent off the machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../src/api/types.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import type { ProxyService } from '../src/proxy/serviceModel.js';
import { ServiceProxy } from '../src/proxy/serviceProxy.js';
import { cidrString, ipToString, parseCidr } from '../src/runtime/network/cidr.js';
import { execInContainer } from '../src/runtime/exec.js';
import { ensureBridge, removeBridge } from '../src/runtime/network/bridge.js';
import { isolatedConfig, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const nftTables = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
const routesFor = (cidr: string) => execFileSync('ip', ['route', 'show', 'table', 'all', 'to', cidr], { encoding: 'utf8' }).trim();
const sysctl = (bridge: string, key: string) => readFileSync(`/proc/sys/net/ipv4/conf/${bridge}/${key}`, 'utf8').trim();

/** One GET on a fresh connection (no keep-alive agent), so every request is a new DNAT decision. */
function get(host: string, port: number, timeout = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
async function tally(host: string, port: number, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const who = await get(host, port);
    seen[who] = (seen[who] ?? 0) + 1;
  }
  return seen;
}
/** How a TCP connect ends, and how fast. */
function connectOutcome(host: string, port: number, timeout = 3000): Promise<{ code: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout });
    const done = (code: string) => {
      s.destroy();
      resolve({ code, ms: Date.now() - start });
    };
    s.once('connect', () => done('connected'));
    s.once('timeout', () => done('timeout'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
  });
}
function udpAsk(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => (s.close(), reject(new Error('udp timeout'))), 3000);
    s.once('message', (m) => (clearTimeout(timer), s.close(), resolve(m.toString().trim())));
    s.send('who?', port, host);
  });
}

/** A busybox httpd on 8080 answering its pod's name, Ready once the kubelet's probe gets it. */
function webPod(node: TestNode, name: string): PodWorker {
  const cmd = `mkdir /www; echo ${name} > /www/index.html; exec httpd -f -p 8080 -h /www`;
  return node.run(
    podManifest(name, {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', cmd], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
    }),
  );
}
/** A UDP echo of its name on 5353 (busybox-static has no UDP server applet; the python image does). */
function udpPod(node: TestNode, name: string): PodWorker {
  const py = `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('',5353))\nwhile True:\n  d,a=s.recvfrom(512)\n  s.sendto(b'${name}',a)\n`;
  return node.run(podManifest(name, { terminationGracePeriodSeconds: 0, containers: [{ name: 'udp', image: 'python', command: ['python3', '-c', py] }] }));
}
const inPod = (w: PodWorker, script: string) =>
  execInContainer(w.records[0].process!, ['sh', '-c', script], { env: { PATH: '/.tinylet/busybox:/usr/bin:/bin' }, timeoutMs: 10_000 });

describe('service proxy (nftables) on real pods', () => {
  let node: TestNode;
  let proxy: ServiceProxy;
  let a: PodWorker, b: PodWorker, u: PodWorker;
  const ip: Record<string, string> = {};
  let clusterIP: string, selfIP: string, udpIP: string, nodePort: number, serviceCIDR: string, localnetBefore: string;
  const web = (endpoints: string[], extra: Partial<ProxyService> = {}): ProxyService => ({
    namespace: 'default',
    name: 'web',
    clusterIP,
    ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort, endpoints: endpoints.map((n) => ({ ip: ip[n], port: 8080 })) }],
    ...extra,
  });
  const self = (): ProxyService => ({ namespace: 'default', name: 'self', clusterIP: selfIP, ports: [{ protocol: 'TCP', port: 80, endpoints: [{ ip: ip.a, port: 8080 }] }] });
  const udp = (): ProxyService => ({ namespace: 'default', name: 'dns', clusterIP: udpIP, ports: [{ protocol: 'UDP', port: 53, endpoints: [{ ip: ip.u, port: 5353 }] }] });
  const apply = async (services: ProxyService[]) => {
    proxy.sync(services);
    await proxy.flush();
  };

  beforeAll(async () => {
    node = testNode();
    const svc = parseCidr(node.config.serviceCIDR);
    serviceCIDR = cidrString(svc);
    [clusterIP, selfIP, udpIP] = [10, 11, 12].map((n) => ipToString(svc.base + n));
    nodePort = node.config.serviceNodePortRange.min;
    a = webPod(node, 'svc-a');
    b = webPod(node, 'svc-b');
    u = udpPod(node, 'svc-u');
    for (const [k, w] of Object.entries({ a, b })) ip[k] = (await waitForPod(node, w, ready)).status!.podIP!;
    ip.u = (await waitForPod(node, u, (p) => !!p.status?.podIP && p.status.containerStatuses?.[0]?.state?.running !== undefined)).status!.podIP!;
    const bridge = node.config.bridgeName;
    // The bridge comes with forwarding (pod -> Service -> pod is routed) and route_localnet (bridge.ts).
    expect([sysctl(bridge, 'forwarding'), sysctl(bridge, 'route_localnet')]).toEqual(['1', '1']);
    // Turned off here (on this test's bridge only) to see the proxy turn it on, and back off in remove().
    writeFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '0');
    localnetBefore = '0';
    proxy = new ServiceProxy({ bridge: node.config.bridgeName, podCIDR: node.config.podCIDR, serviceCIDR: node.config.serviceCIDR });
  }, 60_000);

  afterAll(async () => {
    await proxy?.remove();
    await node?.cleanup();
  });

  it('host -> ClusterIP:80 reaches both endpoints, spread at random', async () => {
    await apply([web(['a', 'b'])]);
    expect(sysctl(node.config.bridgeName, 'route_localnet')).toBe('1');
    const seen = await tally(clusterIP, 80, 20);
    expect(Object.keys(seen).sort()).toEqual(['svc-a', 'svc-b']);
    expect(Math.min(...Object.values(seen))).toBeGreaterThanOrEqual(3);
  });

  it('host -> 127.0.0.1:nodePort and the host IP:nodePort', async () => {
    const targets = ['127.0.0.1', ...(node.kubelet.hostIP !== '127.0.0.1' ? [node.kubelet.hostIP] : [])];
    for (const host of targets) expect(Object.keys(await tally(host, nodePort, 8)).sort(), host).toEqual(['svc-a', 'svc-b']);
  });

  it('pod -> ClusterIP (to another pod) and a pod reaching itself through its Service (hairpin)', async () => {
    await apply([web(['a', 'b']), self()]);
    const viaService = await inPod(b, `for i in 1 2 3; do wget -qO- http://${selfIP}/ || echo failed; done`);
    expect(viaService.output.trim().split('\n')).toEqual(['svc-a', 'svc-a', 'svc-a']);
    const hairpin = await inPod(a, `for i in 1 2 3; do wget -qO- http://${selfIP}/ || echo failed; done`);
    expect(hairpin.output.trim().split('\n')).toEqual(['svc-a', 'svc-a', 'svc-a']);
    const both = await inPod(a, `for i in $(seq 12); do wget -qO- http://${clusterIP}/; done`);
    expect(new Set(both.output.trim().split('\n'))).toEqual(new Set(['svc-a', 'svc-b']));
  });

  it('an endpoint removed from the model gets no more traffic', async () => {
    await apply([web(['a'])]);
    expect(await tally(clusterIP, 80, 10)).toEqual({ 'svc-a': 10 });
    expect(await tally('127.0.0.1', nodePort, 5)).toEqual({ 'svc-a': 5 });
  });

  it('no endpoints, or a port the Service lacks: refused at once, from the host and from pods', async () => {
    await apply([web([])]);
    for (const [host, port] of [[clusterIP, 80], [clusterIP, 81], ['127.0.0.1', nodePort]] as const) {
      const r = await connectOutcome(host, port);
      expect(r.code, `${host}:${port}`).toBe('ECONNREFUSED');
      expect(r.ms).toBeLessThan(1000);
    }
    const start = Date.now();
    // (busybox 1.35's wget -T crashes: `timeout` bounds it instead)
    const fromPod = await inPod(b, `timeout 5 wget -qO- http://${clusterIP}/ 2>&1; echo rc=$?`);
    expect(fromPod.output).toMatch(/refused/i);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it('sessionAffinity ClientIP keeps a client on one endpoint, across a resync too', async () => {
    await apply([web(['a', 'b'], { affinityTimeoutSeconds: 60 })]);
    const first = Object.keys(await tally(clusterIP, 80, 12));
    expect(first).toHaveLength(1);
    // The host's source for ClusterIPs is the gateway (the service CIDR is routed to the bridge).
    const remembered = () => execFileSync('nft', ['list', 'table', 'ip', proxy.table], { encoding: 'utf8' }).match(/elements = \{ ([\d.]+) expires/g) ?? [];
    expect(remembered()).toEqual([`elements = { ${node.kubelet.network.gateway} expires`]);
    await apply([web(['a', 'b'], { affinityTimeoutSeconds: 60 }), self()]); // the table is replaced whole
    expect(remembered()).toHaveLength(1);
    expect(Object.keys(await tally(clusterIP, 80, 6))).toEqual(first);
  });

  it('a burst of syncs costs one or two nft runs and the latest wins; a failed run is logged, then retried', async () => {
    // A PATH with an nft that logs each run, then runs the real one (or fails, when told to).
    const dir = mkdtempSync(join(tmpdir(), 'tinylet-proxy-nft-'));
    const log = join(dir, 'runs');
    writeFileSync(join(dir, 'nft'), `#!/bin/sh\necho "$*" >> ${log}\n[ -e ${dir}/fail ] && { echo refused >&2; exit 1; }\nexec ${execFileSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).trim()} "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    process.env.PATH = `${dir}:${path}`;
    try {
      for (let i = 0; i < 50; i++) proxy.sync([web(i % 2 ? ['b'] : ['a'])]);
      proxy.sync([web(['b'])]);
      await proxy.flush();
      const runs = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l === '-f -');
      expect(runs.length).toBeLessThanOrEqual(2);
      expect(await tally(clusterIP, 80, 6)).toEqual({ 'svc-b': 6 });

      writeFileSync(join(dir, 'fail'), '');
      proxy.sync([web(['a'])]);
      await expect(proxy.flush()).rejects.toThrow(/refused/);
      expect(errors).toHaveBeenCalledWith(expect.stringMatching(/service proxy: nft: installing table .* failed: refused/));
      expect(await tally(clusterIP, 80, 3)).toEqual({ 'svc-b': 3 }); // the old rules stay in place
      rmSync(join(dir, 'fail'));
      await apply([web(['a'])]);
      expect(await tally(clusterIP, 80, 3)).toEqual({ 'svc-a': 3 });
    } finally {
      process.env.PATH = path;
      errors.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('UDP: a datagram to ClusterIP:53 is answered by the endpoint', async () => {
    await apply([web(['a', 'b']), udp()]);
    expect(await udpAsk(udpIP, 53)).toBe('svc-u');
  });

  it('pods reach the cluster DNS port (53) on the gateway even without podHostAccess', async () => {
    const gateway = node.kubelet.network.gateway;
    const server = net.createServer((s) => s.end('dns-ok\n'));
    await new Promise<void>((r) => server.listen(53, gateway, r));
    try {
      const r = await inPod(b, `nc -w 2 ${gateway} 53 </dev/null || echo blocked`);
      expect(r.output.trim()).toBe('dns-ok');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('remove() and the node cleanup leave no table, route or sysctl behind', async () => {
    const bridge = node.config.bridgeName;
    expect(nftTables()).toContain(`table ip ${proxy.table}`);
    expect(routesFor(serviceCIDR)).toContain(`dev ${bridge}`);
    await proxy.remove();
    expect(nftTables()).not.toContain(proxy.table);
    expect(sysctl(bridge, 'route_localnet')).toBe(localnetBefore);
    const r = await connectOutcome(clusterIP, 80, 1000); // no rules: the route keeps it on the bridge, unanswered
    expect(r.code).not.toBe('connected');
    await node.cleanup();
    expect(routesFor(serviceCIDR)).toBe('');
    expect(nftTables()).not.toContain(bridge);
    node = undefined as unknown as TestNode;
  }, 30_000);

  it('the bridge routes the service CIDR, also removed by a removeBridge that is not told it', async () => {
    const c = isolatedConfig();
    rmSync(c.stateDir, { recursive: true, force: true });
    const svc = cidrString(parseCidr(c.serviceCIDR));
    try {
      await ensureBridge(c.bridgeName, parseCidr(c.podCIDR), { serviceCIDR: parseCidr(c.serviceCIDR) });
      expect(routesFor(svc).split('\n').map((l) => l.trim()).sort()).toEqual([`${svc} dev ${c.bridgeName} scope link`, `unreachable ${svc} metric 4242`]);
    } finally {
      await removeBridge(c.bridgeName, parseCidr(c.podCIDR)); // as test/helpers/childAgent.ts does
    }
    expect(routesFor(svc)).toBe('');
    expect(routesFor(c.podCIDR)).toBe('');
  });
});

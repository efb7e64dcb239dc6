// The pod network firewall (src/runtime/network/firewall.ts) on real pods. Every packet here goes to
// loopback, to the host's own addresses (the bridge gateway, the primary IP: local delivery) or to
// pods of these tests; nothing is sent off the machine.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { httpGet } from './helpers/http.js';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { ensureBridge, removeBridge } from '../src/runtime/network/bridge.js';
import { gatewayOf, parseCidr } from '../src/runtime/network/cidr.js';
import { firewallTableName } from '../src/runtime/network/firewall.js';
// The test's own way into a pod's netns (tinylet itself no longer runs nsenter).
const NSENTER = '/usr/bin/nsenter';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import { logOf } from './helpers/logs.js';
import { firstRunning, isolatedConfig, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const phaseIs = (phase: string) => (p: Pod) => p.status?.phase === phase;

const nftTables = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const nftTable = (bridge: string) => execFileSync('nft', ['list', 'table', 'inet', firewallTableName(bridge)], { encoding: 'utf8' });
const hasTable = (bridge: string) => nftTables().includes(`table inet ${firewallTableName(bridge)}`);
const bridgeExists = (bridge: string) => {
  try {
    execFileSync('ip', ['link', 'show', 'dev', bridge], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** A TCP service of the host, bound to every address like sshd: it greets and counts whoever connects. */
async function hostService(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.end('hello-from-host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { port: (server.address() as net.AddressInfo).port, connections: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

/** An httpd pod, Ready through an HTTP probe the kubelet runs from the host to the pod IP. */
async function webPod(node: TestNode): Promise<string> {
  const w = node.run(
    podManifest('web', {
      containers: [
        {
          name: 'web',
          image: 'busybox',
          command: ['sh', '-c', 'mkdir /www; echo pod-ok > /www/index.html; exec httpd -f -p 80 -h /www'],
          readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
        },
      ],
    }),
  );
  return (await waitForPod(node, w, ready)).status!.podIP!;
}

/**
 * A pod that connects to the host service at the gateway and at the host's primary IP, then fetches
 * from the web pod. It waits for a default route, which the test adds into its netns: a root pod can
 * do as much, so the firewall, not the missing route, must be what keeps it off the host.
 */
async function clientPod(node: TestNode, targets: Record<string, string>, port: number, webIP: string): Promise<string[]> {
  const tries = Object.entries(targets).map(([what, ip]) => `if nc -w 2 ${ip} ${port} </dev/null; then echo ${what}=open; else echo ${what}=blocked; fi`);
  const script = ['until ip route | grep -q default; do sleep 0.1; done', ...tries, `timeout 5 wget -qO- http://${webIP}/ || echo web=failed`].join('\n');
  const w: PodWorker = node.run(podManifest('client', { restartPolicy: 'Never', containers: [{ name: 'client', image: 'busybox', command: ['sh', '-c', script] }] }));
  await waitForPod(node, w, firstRunning);
  const gateway = gatewayOf(parseCidr(node.config.podCIDR));
  execFileSync(NSENTER, ['--target', String(w.sandbox!.pid), '--net', '--', 'ip', 'route', 'add', 'default', 'via', gateway, 'dev', 'eth0']);
  await waitForPod(node, w, phaseIs('Succeeded'), 30_000);
  return logOf(node, w, 'client', 0, 'stdout');
}

describe('pod network firewall (nftables)', () => {
  let node: TestNode | undefined;
  let service: Awaited<ReturnType<typeof hostService>> | undefined;
  const bridges: string[] = [];
  afterEach(async () => {
    await node?.cleanup();
    await service?.close();
    node = service = undefined;
  });
  afterAll(() => {
    // No table outlives its bridge.
    for (const b of bridges) expect(hasTable(b), firewallTableName(b)).toBe(false);
  });

  /** The gateway always; the host's primary IP when it has one besides loopback. */
  function targets(n: TestNode): Record<string, string> {
    const t: Record<string, string> = { gateway: gatewayOf(parseCidr(n.config.podCIDR)) };
    if (n.kubelet.hostIP !== '127.0.0.1') t.host = n.kubelet.hostIP;
    return t;
  }

  it('pods cannot connect to host services; the host reaches pods (probes included) and pods reach each other', async () => {
    service = await hostService();
    node = testNode();
    const bridge = node.config.bridgeName;
    bridges.push(bridge);
    expect(hasTable(bridge)).toBe(false);
    const webIP = await webPod(node);
    expect(hasTable(bridge)).toBe(true);
    expect(nftTable(bridge)).toContain('hook input');
    expect(await httpGet(`http://${webIP}/`)).toBe('pod-ok\n');

    const t = targets(node);
    const out = await clientPod(node, t, service.port, webIP);
    for (const what of Object.keys(t)) expect(out).toContain(`${what}=blocked`);
    expect(out).toContain('pod-ok');
    expect(out).not.toContain('hello-from-host');
    expect(service.connections()).toBe(0);

    await node.cleanup();
    node = undefined;
    expect(bridgeExists(bridge)).toBe(false);
    expect(hasTable(bridge)).toBe(false);
  }, 60_000);

  it('podHostAccess: true lets pods connect to the host; pod traffic still may not be forwarded', async () => {
    service = await hostService();
    node = testNode({ podHostAccess: true });
    bridges.push(node.config.bridgeName);
    const webIP = await webPod(node);
    const table = nftTable(node.config.bridgeName);
    // No pod-to-host input chain (only the gateway's chain against the host's other interfaces).
    expect(table).not.toContain('chain input {');
    expect(table).toContain('chain input-gateway {');
    expect(table).toContain('hook forward');

    const t = targets(node);
    const out = await clientPod(node, t, service.port, webIP);
    for (const what of Object.keys(t)) expect(out).toContain(`${what}=open`);
    expect(out.filter((l) => l === 'hello-from-host')).toHaveLength(Object.keys(t).length);
    expect(out).toContain('pod-ok');
    expect(service.connections()).toBe(Object.keys(t).length);
  }, 60_000);

  it('ensureBridge replaces the table (one table, new rules); removeBridge is idempotent', async () => {
    const config = isolatedConfig();
    rmSync(config.stateDir, { recursive: true, force: true });
    const bridge = config.bridgeName;
    const cidr = parseCidr(config.podCIDR);
    bridges.push(bridge);
    try {
      await ensureBridge(bridge, cidr);
      await ensureBridge(bridge, cidr, { podHostAccess: true });
      expect(nftTables().filter((l) => l === `table inet ${firewallTableName(bridge)}`)).toHaveLength(1);
      expect(nftTable(bridge)).not.toContain('chain input {');
      await ensureBridge(bridge, cidr);
      expect(nftTable(bridge)).toContain('chain input {');
    } finally {
      await removeBridge(bridge, cidr);
    }
    await removeBridge(bridge, cidr);
    expect(hasTable(bridge)).toBe(false);
    expect(bridgeExists(bridge)).toBe(false);
  });

  it('without nft the bridge is not created, and the error names the Debian package', async () => {
    const config = isolatedConfig();
    rmSync(config.stateDir, { recursive: true, force: true });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(ensureBridge(config.bridgeName, parseCidr(config.podCIDR))).rejects.toThrow(/apt-get install nftables/);
    } finally {
      process.env.PATH = path;
    }
    expect(bridgeExists(config.bridgeName)).toBe(false);
    expect(hasTable(config.bridgeName)).toBe(false);
  });
});

// A pod's /etc/hosts, byte for byte what the kubelet writes (kubelet_pods.go managedHostsFileContent
// and nodeHostsFileContent), read from inside real containers: the managed file with the IPv6 names,
// the pod's IP with its hostname (its FQDN first with a subdomain), the HostAliases block; and for a
// hostNetwork pod the node's own file under the host-network header.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { hostNetworkHostsFile, managedHostsFile } from '../src/kubelet/hostsFile.js';
import { logOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const HEADER = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
];
const ALIASES = [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.4', hostnames: ['baz'] }];

describe('the hosts file content', () => {
  it('is the managed file: hostname, FQDN with a subdomain, aliases after a blank line', () => {
    const plain = podManifest('web', { containers: [] });
    expect(managedHostsFile(plain, 'web', ['10.244.0.5'], 'cluster.local')).toBe([...HEADER, '10.244.0.5\tweb', ''].join('\n'));
    const sub = { ...podManifest('web', { containers: [], hostname: 'db-0', subdomain: 'db', hostAliases: ALIASES }), metadata: { name: 'web', namespace: 'shop' } };
    expect(managedHostsFile(sub, 'db-0', ['10.244.0.6'], 'cluster.local')).toBe(
      [...HEADER, '10.244.0.6\tdb-0.db.shop.svc.cluster.local\tdb-0', '', '# Entries added by HostAliases.', '10.1.2.3\tfoo.local\tbar.local', '10.1.2.4\tbaz', ''].join('\n'),
    );
    // No pod IP (no pod network): the header alone.
    expect(managedHostsFile(plain, 'web', [], 'cluster.local')).toBe([...HEADER, ''].join('\n'));
  });

  it('is the node\'s file under its own header for a hostNetwork pod', () => {
    const pod = podManifest('h', { containers: [], hostNetwork: true, hostAliases: [ALIASES[1]!] });
    expect(hostNetworkHostsFile(pod, '127.0.0.1 localhost\n')).toBe('# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n10.1.2.4\tbaz\n');
  });
});

describe('/etc/hosts in a container', () => {
  let node: TestNode | undefined;
  afterEach(async () => {
    await node?.cleanup();
    node = undefined;
  });

  it('is what the kubelet writes, for a pod network pod and a hostNetwork pod', async () => {
    node = testNode();
    const cat = [{ name: 'cat', image: 'busybox', command: ['cat', '/etc/hosts'] }];
    const own = node.run({ ...podManifest('hosts-own', { restartPolicy: 'Never', hostname: 'db-0', subdomain: 'db', hostAliases: ALIASES, containers: cat }) });
    const host = node.run(podManifest('hosts-host', { restartPolicy: 'Never', hostNetwork: true, hostAliases: ALIASES, containers: cat }));
    const done = (p: { status?: { phase?: string } }) => p.status?.phase === 'Succeeded';
    const pod = await waitForPod(node, own, done, 30_000);
    await waitForPod(node, host, done, 30_000);
    await waitUntil(() => logOf(node!, own, 'cat').length > 0 && logOf(node!, host, 'cat').length > 0, 5000);
    const aliases = ['', '# Entries added by HostAliases.', '10.1.2.3\tfoo.local\tbar.local', '10.1.2.4\tbaz'];
    expect(logOf(node, own, 'cat')).toEqual([...HEADER, `${pod.status!.podIP}\tdb-0.db.default.svc.cluster.local\tdb-0`, ...aliases]);
    const nodeHosts = readFileSync('/etc/hosts', 'utf8').replace(/\n$/, '').split('\n');
    expect(logOf(node, host, 'cat')).toEqual(['# Kubernetes-managed hosts file (host network).', ...nodeHosts, ...aliases]);
  }, 60_000);
});

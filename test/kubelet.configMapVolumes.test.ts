// configMap, secret, downwardAPI, projected and service account volumes in real containers: the
// AtomicWriter layout, items and modes, fsGroup, updates seen by a running container, subPath
// mounts that keep their file, and FailedMount for a missing object until it appears.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { podDir } from '../src/kubelet/podPaths.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import { execInContainer } from '../src/runtime/exec.js';
import { eventsOf } from './helpers/logs.js';
import { MemoryObjects } from './helpers/memoryObjects.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const PATH = '/.tinylet/busybox:/usr/bin:/bin';
const allRunning = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running !== undefined);

async function sh(w: PodWorker, script: string, container = 0): Promise<string> {
  const res = await execInContainer(w.records[container]!.process!, ['sh', '-c', script], { env: { PATH } });
  return res.output.trim();
}

async function eventually(fn: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await fn())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

describe('volumes from ConfigMaps, Secrets and the downward API', () => {
  let node: TestNode | undefined;
  let objects: MemoryObjects;
  afterEach(async () => {
    await node?.cleanup();
    node = undefined;
    expect(objects.listenerCount).toBe(1); // only the relay's: every pod's subscription is gone
  });

  function start(): TestNode {
    node = testNode();
    objects = new MemoryObjects();
    node.kubelet.objects = objects;
    return node;
  }

  it('configMap items with modes, the ..data layout, read-only, updates seen live; a subPath mount keeps its file', async () => {
    const n = start();
    objects.putConfigMap('app-config', { 'game.properties': 'lives=3', 'ui.properties': 'color=red', skipped: 'x' }, { 'blob.bin': Buffer.from([0, 1, 2, 255]).toString('base64') });
    const w = n.run(
      podManifest('cmvol', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '3600'],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'all', mountPath: '/etc/all' },
              { name: 'all', mountPath: '/etc/ui.properties', subPath: 'ui.properties' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'game.properties', path: 'game/props', mode: 0o600 }, { key: 'ui.properties', path: 'ui' }, { key: 'blob.bin', path: 'blob' }], defaultMode: 0o640 } },
          { name: 'all', configMap: { name: 'app-config' } },
        ],
      }),
    );
    await waitForPod(n, w, allRunning);
    expect(await sh(w, 'cat /etc/cfg/game/props; echo; cat /etc/cfg/ui; echo; od -An -tx1 /etc/cfg/blob')).toBe('lives=3\ncolor=red\n 00 01 02 ff');
    // Modes are those of the files behind the symlinks.
    expect(await sh(w, 'stat -L -c "%a %n" /etc/cfg/game/props /etc/cfg/ui /etc/all/skipped; ls /etc/cfg')).toBe('600 /etc/cfg/game/props\n640 /etc/cfg/ui\n644 /etc/all/skipped\nblob\ngame\nui');
    expect(await sh(w, 'touch /etc/cfg/new 2>&1 || echo refused')).toMatch(/Read-only file system[\s\S]*refused/);
    // The AtomicWriter's layout on the host.
    const dir = join(podDir(n.config.stateDir, w.pod), 'volumes', 'all');
    const entries = readdirSync(dir).sort();
    const ts = entries.find((e) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(e));
    expect(ts).toBeDefined();
    expect(entries).toEqual(['..data', ts, 'blob.bin', 'game.properties', 'skipped', 'ui.properties'].sort());
    expect(readlinkSync(join(dir, '..data'))).toBe(ts);
    expect(readlinkSync(join(dir, 'ui.properties'))).toBe('..data/ui.properties');
    expect(lstatSync(join(dir, ts!)).mode & 0o777).toBe(0o755);
    // An update: the running container sees it within a second or two; the subPath file does not change.
    objects.putConfigMap('app-config', { 'game.properties': 'lives=3', 'ui.properties': 'color=blue', added: 'new' });
    const took = await eventually(async () => (await sh(w, 'cat /etc/all/ui.properties; echo; cat /etc/all/added')) === 'color=blue\nnew', 2000);
    expect(took).toBeLessThan(2000);
    expect(await sh(w, 'cat /etc/ui.properties; echo; ls /etc/all')).toBe('color=red\nadded\ngame.properties\nui.properties');
    const after = readdirSync(dir).filter((e) => e.startsWith('..2'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(ts);
  });

  it('secret volumes decode base64; fsGroup owns the files as the kubelet sets it; a projected volume merges its sources', async () => {
    const n = start();
    objects.putSecret('db', { password: 'hunter2', user: 'admin' });
    objects.putConfigMap('extra', { 'extra.txt': 'more' });
    objects.token = (pod, audience, seconds) => `token-for-${pod.metadata!.name}-${audience ?? 'api'}-${seconds}`;
    const w = n.run(
      podManifest('secvol', {
        terminationGracePeriodSeconds: 1,
        securityContext: { fsGroup: 2345, runAsUser: 1000 },
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '3600'],
            volumeMounts: [
              { name: 'sec', mountPath: '/etc/sec' },
              { name: 'proj', mountPath: '/etc/proj' },
            ],
          },
        ],
        volumes: [
          { name: 'sec', secret: { secretName: 'db', items: [{ key: 'password', path: 'pw', mode: 0o400 }, { key: 'user', path: 'user' }] } },
          {
            name: 'proj',
            projected: {
              sources: [
                { secret: { name: 'db', items: [{ key: 'user', path: 'db/user' }] } },
                { configMap: { name: 'extra' } },
                { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
                { serviceAccountToken: { path: 'tok', audience: 'vault', expirationSeconds: 7200 } },
              ],
            },
          },
        ],
      }),
    );
    await waitForPod(n, w, allRunning);
    expect(await sh(w, 'id -u; cat /etc/sec/pw; echo; cat /etc/sec/user')).toBe('1000\nhunter2\nadmin');
    // fsGroup: group 2345 on everything, r added for the group (0400 -> 0440), dirs r-x and setgid.
    expect(await sh(w, 'stat -L -c "%a %g" /etc/sec/pw /etc/sec/user /etc/sec/..data /etc/sec')).toBe('440 2345\n644 2345\n2755 2345\n2777 2345');
    expect(await sh(w, 'cat /etc/proj/db/user; echo; cat /etc/proj/extra.txt; echo; cat /etc/proj/name; echo; cat /etc/proj/tok')).toBe('admin\nmore\nsecvol\ntoken-for-secvol-vault-7200');
    // A token with runAsUser/fsGroup is 0600 to its user (plus the group's r from fsGroup).
    expect(await sh(w, 'stat -L -c "%a %u %g" /etc/proj/tok')).toBe('640 1000 2345');
    // The default service account volume: token (3607 s, no audience), ca.crt, namespace.
    expect(await sh(w, 'cd /var/run/secrets/kubernetes.io/serviceaccount && ls && cat token; echo; cat namespace; echo; wc -c < ca.crt; readlink token')).toBe(
      'ca.crt\nnamespace\ntoken\ntoken-for-secvol-api-3607\ndefault\n0\n..data/token',
    );
  });

  it('downwardAPI files follow label changes; the placeholder token without an API', async () => {
    const n = start();
    const w = n.run({
      ...podManifest('dapi', {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { limits: { memory: '32Mi' } }, volumeMounts: [{ name: 'info', mountPath: '/etc/podinfo' }] }],
        volumes: [
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
                { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
              ],
            },
          },
        ],
      }),
      metadata: { name: 'dapi', labels: { zone: 'us-est-coast', tier: 'front"end', cluster: 'test-cluster1' } },
    });
    await waitForPod(n, w, allRunning);
    expect(await sh(w, 'cat /etc/podinfo/labels; echo; cat /etc/podinfo/tier; echo; cat /etc/podinfo/mem')).toBe('cluster="test-cluster1"\ntier="front\\"end"\nzone="us-est-coast"\nfront"end\n32');
    n.kubelet.updatePod('default', 'dapi', { ...w.pod, metadata: { ...w.pod.metadata, labels: { tier: 'back' } } });
    await eventually(async () => (await sh(w, 'cat /etc/podinfo/labels')) === 'tier="back"', 2000);
    expect(await sh(w, 'cat /var/run/secrets/kubernetes.io/serviceaccount/token')).toBe('tinylet-has-no-token');
  });

  it('a missing ConfigMap: FailedMount, ContainerCreating, then the pod starts once it is created', async () => {
    const n = start();
    const w = n.run(
      podManifest('waitcm', {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'maybe', mountPath: '/etc/maybe' }] }],
        volumes: [
          { name: 'cfg', configMap: { name: 'later' } },
          { name: 'maybe', secret: { secretName: 'never', optional: true } },
        ],
      }),
    );
    await waitUntil(() => eventsOf(n, w).some((e) => e.reason === 'FailedMount'), 5000);
    expect(eventsOf(n, w).find((e) => e.reason === 'FailedMount')!.message).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "later" not found');
    expect(firstContainer(w.pod).state?.waiting?.reason).toBe('ContainerCreating');
    expect(w.sandbox).toBeUndefined();
    // A retry (500 ms, then doubling) records the event again.
    await waitUntil(() => eventsOf(n, w).filter((e) => e.reason === 'FailedMount').length >= 2, 3000);
    const created = Date.now();
    objects.putConfigMap('later', { k: 'v' });
    await waitForPod(n, w, allRunning, 5000);
    expect(Date.now() - created).toBeLessThan(3000);
    // An optional Secret that does not exist: an empty volume (only ..data and its directory).
    expect(await sh(w, 'cat /etc/cfg/k; echo; ls /etc/maybe | wc -l')).toBe('v\n0');
  });
});

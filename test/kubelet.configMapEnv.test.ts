// Environment from ConfigMaps, Secrets and the downward API's resourceFieldRef, in real containers:
// configMapKeyRef, secretKeyRef, envFrom with prefixes, optional sources, and the kubelet's
// CreateContainerConfigError for what is missing, retried as soon as the object appears.
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, logOf } from './helpers/logs.js';
import { MemoryObjects } from './helpers/memoryObjects.js';
import { firstContainer, firstRunning, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

describe('env from ConfigMaps and Secrets', () => {
  let node: TestNode | undefined;
  let objects: MemoryObjects;
  afterEach(async () => {
    await node?.cleanup();
    node = undefined;
    // Every pod worker's subscription went with it.
    expect(objects.listenerCount).toBe(1); // the relay's own, on the source
  });

  function start(): TestNode {
    node = testNode();
    objects = new MemoryObjects();
    node.kubelet.objects = objects;
    return node;
  }

  it('takes keys, envFrom with prefixes, decoded secrets, resources; env wins over envFrom; optional missing is skipped', async () => {
    const n = start();
    objects.putConfigMap('settings', { mode: 'fast', 'log.level': 'debug', shared: 'from-configmap' });
    objects.putSecret('creds', { password: 's3cr=t ü', user: 'admin' });
    const w = n.run(
      podManifest('envpod', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            // PID 1's own environment: a shell drops names it cannot use (log.level) from what it passes on.
            command: ['sh', '-c', 'tr "\\0" "\\n" < /proc/1/environ; sleep 3600'],
            resources: { limits: { memory: '64Mi', cpu: '250m' } },
            envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'absent', optional: true } }],
            env: [
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
              { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'user', value: 'overridden' },
              { name: 'EXPANDED', value: '$(MODE)-$(CFG_shared)' },
              { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nokey', optional: true } } },
              { name: 'MAYBE2', valueFrom: { secretKeyRef: { name: 'nosecret', key: 'k', optional: true } } },
              { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
              { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
              { name: 'REQ_CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
            ],
          },
          {
            name: 'nolimit',
            image: 'busybox',
            command: ['sh', '-c', 'echo CPUS=$CPUS; sleep 3600'],
            env: [{ name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
          },
        ],
      }),
    );
    await waitForPod(n, w, (p) => (p.status?.containerStatuses ?? []).every((c) => c.state?.running));
    await waitUntil(() => logOf(n, w, 'app').some((l) => l.startsWith('user=')) && logOf(n, w, 'nolimit').length > 0, 5000);
    const env = logOf(n, w, 'app');
    expect(env).toEqual(
      expect.arrayContaining([
        'CFG_mode=fast',
        'CFG_log.level=debug',
        'CFG_shared=from-configmap',
        'password=s3cr=t ü',
        'user=overridden',
        'MODE=fast',
        'PASS=s3cr=t ü',
        'EXPANDED=fast-from-configmap',
        'MEM_MI=64',
        'CPU_M=250',
        'CPU=1',
        // No request: the API server defaults it to the limit.
        'REQ_CPU=250',
      ]),
    );
    expect(env.some((l) => l.startsWith('MAYBE'))).toBe(false);
    // No limit: the node's allocatable (its CPUs).
    expect(logOf(n, w, 'nolimit')).toEqual([`CPUS=${availableParallelism()}`]);
  });

  it('a missing ConfigMap is CreateContainerConfigError, and the container starts as soon as it is created', async () => {
    const n = start();
    const w = n.run(
      podManifest('late', {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo got=$V; sleep 3600'], env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'late-cm', key: 'v' } } }] }],
      }),
    );
    await waitForPod(n, w, (p) => firstContainer(p).state?.waiting?.reason === 'CreateContainerConfigError');
    expect(firstContainer(w.pod).state?.waiting?.message).toBe('configmap "late-cm" not found');
    expect(eventsOf(n, w).filter((e) => e.reason === 'Failed').map((e) => e.message)).toContain('Error: configmap "late-cm" not found');
    // The key is missing: the kubelet's other message (the next try comes with the change).
    objects.putConfigMap('late-cm', { other: 'x' });
    await waitForPod(n, w, (p) => firstContainer(p).state?.waiting?.message === "couldn't find key v in ConfigMap default/late-cm", 3000);
    const created = Date.now();
    objects.putConfigMap('late-cm', { v: 'finally' });
    await waitForPod(n, w, firstRunning, 5000);
    // Far sooner than the sync back-off (10 s).
    expect(Date.now() - created).toBeLessThan(3000);
    await waitUntil(() => logOf(n, w, 'app').length > 0, 3000);
    expect(logOf(n, w, 'app')).toEqual(['got=finally']);
    expect(firstContainer(w.pod).restartCount).toBe(0);
  });

  it('a missing Secret (envFrom or key) is CreateContainerConfigError with the kubelet\'s messages', async () => {
    const n = start();
    const w = n.run(
      podManifest('nosecret', {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'a', image: 'busybox', command: ['sleep', '3600'], envFrom: [{ secretRef: { name: 'gone' } }] },
          { name: 'b', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'there', key: 'k' } } }] },
        ],
      }),
    );
    objects.putSecret('there', { other: '1' });
    await waitForPod(n, w, (p) => (p.status?.containerStatuses ?? []).filter((c) => c.state?.waiting?.reason === 'CreateContainerConfigError').length === 2);
    const messages = Object.fromEntries(w.pod.status!.containerStatuses!.map((c) => [c.name, c.state!.waiting!.message]));
    expect(messages).toEqual({ a: 'secret "gone" not found', b: "couldn't find key k in Secret default/there" });
  });
});

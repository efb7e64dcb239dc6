import { httpGet } from './helpers/http.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

// Before the kubelet's first sync a pod has no container statuses at all: that is not "all running".
const allRunning = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running !== undefined);
const phaseIs = (phase: string) => (p: Pod) => p.status?.phase === phase;

async function retry<T>(fn: () => Promise<T>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('pods as real processes', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('containers of a pod share localhost and the hostname, each is PID 1 of its own namespace', async () => {
    node = testNode();
    const w = node.run(
      podManifest('duo', {
        containers: [
          { name: 'server', image: 'busybox', command: ['sh', '-c', 'mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www'] },
          { name: 'client', image: 'busybox', command: ['sh', '-c', 'until wget -qO- http://127.0.0.1:8080/; do sleep 0.1; done; hostname; cut -d" " -f1 /proc/self/stat >/dev/null; echo pid1=$(cat /proc/1/comm); sleep 3600'] },
        ],
      }),
    );
    await waitForPod(node, w, allRunning);
    await retry(async () => expect(logOf(node, w, 'client', 0, 'stdout')).toContain('pid1=sh'));
    // wget may fail on stderr until the server listens: stdout holds the answer.
    expect(logOf(node, w, 'client', 0, 'stdout')).toEqual(['hello-from-server', 'duo', 'pid1=sh']);
  });

  it('the pod IP answers from the host', async () => {
    node = testNode();
    const w = node.run(podManifest('web', { containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'mkdir /www; echo pod-ip-ok > /www/index.html; exec httpd -f -p 80 -h /www'] }] }));
    const pod = await waitForPod(node, w, allRunning);
    expect(pod.status!.podIP).toMatch(/^10\.250\./);
    expect(await retry(() => httpGet(`http://${pod.status!.podIP}/`))).toBe('pod-ip-ok\n');
  });

  it('combines command/args with ENTRYPOINT/CMD and expands $(VAR) as Kubernetes does', async () => {
    node = testNode({ images: { 'entry-test': { entrypoint: ['echo', 'EP'], cmd: ['CMD'], env: { PATH: '/usr/bin:/bin', FROM_IMAGE: 'img' } } } });
    const env = [
      { name: 'GREETING', value: 'hi' },
      { name: 'COMBINED', value: '$(GREETING)-$(FROM_IMAGE)' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    const w = node.run(
      podManifest('argv', {
        restartPolicy: 'Never',
        containers: [
          { name: 'neither', image: 'entry-test' },
          { name: 'command-only', image: 'entry-test', command: ['echo', 'C'] },
          { name: 'args-only', image: 'entry-test', args: ['A'] },
          { name: 'both', image: 'entry-test', command: ['echo', 'C'], args: ['A'] },
          { name: 'expand', image: 'entry-test', env, command: ['echo', '$(COMBINED)', '$$(GREETING)', '$(UNDEFINED)', '$(POD_NAME)'] },
        ],
      }),
    );
    await waitForPod(node, w, phaseIs('Succeeded'));
    expect(logOf(node, w, 'neither')).toEqual(['EP CMD']);
    expect(logOf(node, w, 'command-only')).toEqual(['C']);
    expect(logOf(node, w, 'args-only')).toEqual(['EP A']);
    expect(logOf(node, w, 'both')).toEqual(['C A']);
    expect(logOf(node, w, 'expand')).toEqual(['hi-img $(GREETING) $(UNDEFINED) argv']);
  });

  it('an unknown image gives ErrImagePull then ImagePullBackOff with a hint', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 1500, maxContainerRestartPeriodMs: 3000 } });
    const w = node.run(podManifest('nope', { containers: [{ name: 'app', image: 'cnych/liveness' }] }));
    const errPull = await waitForPod(node, w, (p) => p.status?.containerStatuses?.[0].state?.waiting?.reason === 'ErrImagePull');
    // No registry can be reached from the tests (vitest.config.ts): the message says what works instead.
    expect(errPull.status!.containerStatuses![0].state!.waiting!.message).toMatch(/^Failed to pull image "cnych\/liveness": rpc error: .*`tinylet image load`.*"images:" in the agent config/);
    await waitForPod(node, w, (p) => p.status?.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff');
    expect(w.pod.status!.phase).toBe('Pending');
    expect(eventsOf(node, w).map((e) => e.reason)).toContain('BackOff');
  });

  it('hostNetwork pods use the host network; writes go to the container layer, not the host', async () => {
    node = testNode();
    const w = node.run(
      podManifest('hostnet', {
        hostNetwork: true,
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo scratch > /etc/tinylet-test-scratch && cat /etc/tinylet-test-scratch && ip -o link | grep -c lo'] }],
      }),
    );
    await waitForPod(node, w, phaseIs('Succeeded'));
    const { existsSync } = await import('node:fs');
    expect(existsSync('/etc/tinylet-test-scratch')).toBe(false);
    expect(logOf(node, w, 'c')[0]).toBe('scratch');
  });
});

describe('shared process namespace', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('with shareProcessNamespace the pause process is PID 1 and containers see each other', async () => {
    node = testNode();
    const w = node.run(
      podManifest('shared', {
        shareProcessNamespace: true,
        terminationGracePeriodSeconds: 2,
        containers: [
          { name: 'a', image: 'busybox', command: ['sleep', '3600'] },
          { name: 'b', image: 'busybox', command: ['sh', '-c', 'sleep 0.5; echo pid1=$(cat /proc/1/comm); ps -o args | grep "^sleep 36"; sleep 3600'] },
        ],
      }),
    );
    await waitForPod(node, w, allRunning);
    await retry(async () => expect(logOf(node, w, 'b').length).toBe(2));
    expect(logOf(node, w, 'b')).toEqual(['pid1=tinylet-pause', 'sleep 3600']);
    node.kubelet.deletePod('default', 'shared');
    await w.done;
    // Not PID 1 of its own namespace, sleep dies of the SIGTERM default action: 143.
    expect(w.pod.status!.containerStatuses![0].state!.terminated!.exitCode).toBe(143);
  });
});

describe('resources.limits', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('a container over its memory limit is OOMKilled (137); a CPU limit becomes a CFS quota', async () => {
    node = testNode();
    const w = node.run(
      podManifest('limits', {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'hog', image: 'busybox', command: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=256M count=1'], resources: { limits: { memory: '32Mi' } } },
          { name: 'slow', image: 'busybox', command: ['sleep', '3600'], resources: { limits: { cpu: '250m' } } },
        ],
      }),
    );
    await waitForPod(node, w, (p) => p.status?.containerStatuses?.[0].state?.terminated !== undefined && p.status.containerStatuses[1].state?.running !== undefined);
    const hog = w.pod.status!.containerStatuses![0].state!.terminated!;
    expect(hog.reason).toBe('OOMKilled');
    expect(hog.exitCode).toBe(137);
    const pid = w.records[1].process!.pid;
    const { readFileSync } = await import('node:fs');
    const cgroups = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    const cpuPath = /^\d+:[^:]*\bcpu\b[^:]*:(.+)$/m.exec(cgroups)?.[1] ?? /^0::(.+)$/m.exec(cgroups)![1];
    const v2 = !cgroups.match(/\bcpu\b/);
    const quota = v2 ? readFileSync(`/sys/fs/cgroup${cpuPath}/cpu.max`, 'utf8').trim() : readFileSync(`/sys/fs/cgroup/cpu${cpuPath}/cpu.cfs_quota_us`, 'utf8').trim();
    expect(quota).toMatch(/^25000\b/);
  });
});

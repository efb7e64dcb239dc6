import { afterEach, describe, expect, it } from 'vitest';
import { podStatusReason } from '../src/api/printers/podStatus.js';
import type { Pod } from '../src/api/types.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstRunning, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const seen = (node: TestNode, w: { pod: Pod }, statuses: Set<string>) => node.kubelet.on('pod', () => statuses.add(podStatusReason(w.pod)));

describe('init containers and sidecars', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('runs init containers one at a time before the app (init-pod style, emptyDir shared)', async () => {
    node = testNode();
    const statuses = new Set<string>();
    const w = node.run(
      podManifest('init-pod', {
        volumes: [{ name: 'workdir', emptyDir: {} }],
        initContainers: [
          { name: 'fetch', image: 'busybox', command: ['sh', '-c', 'sleep 0.5; echo "<h1>from init</h1>" > /work-dir/index.html'], volumeMounts: [{ name: 'workdir', mountPath: '/work-dir' }] },
          { name: 'second', image: 'busybox', command: ['sh', '-c', 'sleep 0.5; test -f /work-dir/index.html && echo second-saw-first'], volumeMounts: [{ name: 'workdir', mountPath: '/work-dir' }] },
        ],
        containers: [{ name: 'ng', image: 'nginx', volumeMounts: [{ name: 'workdir', mountPath: '/usr/share/nginx/html' }] }],
      }),
    );
    seen(node, w, statuses);
    let readyWhileRunning = false;
    node.kubelet.on('pod', () => {
      if (w.pod.status?.initContainerStatuses?.some((s) => s.state?.running && s.ready)) readyWhileRunning = true;
    });
    const pod = await waitForPod(node, w, firstRunning);
    expect(logOf(node, w, 'second')).toEqual(['second-saw-first']);
    expect(statuses).toContain('Init:0/2');
    expect(statuses).toContain('Init:1/2');
    expect(statuses).toContain('PodInitializing');
    expect(pod.status!.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('True');
    // A plain init container is ready only once it has succeeded, never while it runs.
    expect(pod.status!.initContainerStatuses!.map((s) => s.ready)).toEqual([true, true]);
    expect(readyWhileRunning).toBe(false);
    const started = eventsOf(node, w).filter((e) => e.reason === 'Started').map((e) => e.fieldPath);
    expect(started).toEqual(['spec.initContainers{fetch}', 'spec.initContainers{second}', 'spec.containers{ng}']);
    const res = await fetch(`http://${pod.status!.podIP}/`).then((r) => r.text()).catch(async () => {
      await new Promise((r) => setTimeout(r, 500));
      return fetch(`http://${pod.status!.podIP}/`).then((r) => r.text());
    });
    expect(res).toBe('<h1>from init</h1>\n');
  });

  it('a failing init container fails the pod with Never, and crash-loops with Always', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 2000, maxContainerRestartPeriodMs: 4000 } });
    const spec = (policy: string) => ({
      restartPolicy: policy,
      initContainers: [{ name: 'boom', image: 'busybox', command: ['sh', '-c', 'exit 1'] }],
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
    });
    const never = node.run(podManifest('init-never', spec('Never')));
    const always = node.run(podManifest('init-always', spec('Always')));
    const statuses = new Set<string>();
    seen(node, always, statuses);
    const failed = await waitForPod(node, never, (p) => p.status?.phase === 'Failed');
    expect(podStatusReason(failed)).toBe('Init:Error');
    expect(failed.status!.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    const looping = await waitForPod(node, always, (p) => podStatusReason(p) === 'Init:CrashLoopBackOff');
    expect(looping.status!.phase).toBe('Pending');
    expect(statuses).toContain('Init:Error');
  });

  it('a sidecar starts before the app, keeps running beside it, restarts on exit, and stops after it', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 200, maxContainerRestartPeriodMs: 1000 } });
    const w = node.run(
      podManifest('sidecar', {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 5,
        volumes: [{ name: 'data', emptyDir: {} }],
        initContainers: [
          {
            name: 'proxy',
            image: 'busybox',
            restartPolicy: 'Always',
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            command: ['sh', '-c', 'trap "echo proxy-stop; exit 0" TERM; echo proxy-up; if [ ! -f /data/once ]; then touch /data/once; sleep 0.5; exit 1; fi; while true; do sleep 0.1; done'],
          },
        ],
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "echo app-stop; exit 0" TERM; echo app-up; while true; do sleep 0.1; done'] }],
      }),
    );
    await waitForPod(node, w, (p) => p.status?.containerStatuses?.[0].state?.running !== undefined && p.status.initContainerStatuses?.[0].restartCount === 1);
    await waitForPod(node, w, (p) => p.status?.initContainerStatuses?.[0].state?.running !== undefined);
    expect(podStatusReason(w.pod)).toBe('Running');
    expect(w.pod.status!.phase).toBe('Running');
    expect(w.pod.status!.initContainerStatuses![0].state!.running).toBeDefined();
    node.kubelet.deletePod('default', 'sidecar');
    await w.done;
    const ev = eventsOf(node, w);
    const exitOf = (name: string) => ev.filter((e) => e.reason === 'Exited' && e.fieldPath?.endsWith(`{${name}}`)).at(-1)!.at;
    const startOf = (name: string) => ev.find((e) => e.reason === 'Started' && e.fieldPath?.endsWith(`{${name}}`))!.at;
    expect(startOf('proxy')).toBeLessThan(startOf('app'));
    expect(logOf(node, w, 'proxy', 1)).toEqual(['proxy-up', 'proxy-stop']);
    expect(exitOf('app')).toBeLessThan(exitOf('proxy'));
  });
});

describe('conditions', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('Ready waits for readinessGates while ContainersReady is True; each condition has a transition time', async () => {
    node = testNode();
    const w = node.run(
      podManifest('gated', { readinessGates: [{ conditionType: 'example.com/lb-ready' }], containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }),
    );
    const pod = await waitForPod(node, w, (p) => p.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status === 'True');
    const cond = Object.fromEntries(pod.status!.conditions!.map((c) => [c.type, c]));
    expect(cond.PodScheduled.status).toBe('True');
    expect(cond.Initialized.status).toBe('True');
    expect(cond.Ready.status).toBe('False');
    expect(cond.Ready.reason).toBe('ReadinessGatesNotReady');
    for (const c of Object.values(cond)) expect(c.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const s = pod.status!.containerStatuses![0];
    expect(s).toMatchObject({ name: 'c', ready: true, started: true, restartCount: 0, image: 'docker.io/library/busybox:latest' });
    expect(s.containerID).toMatch(/^tinylet:\/\/[0-9a-f]{64}$/);
    expect(s.imageID).toMatch(/^tinylet-host:\/\/docker.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
  });
});

describe('sandbox recreation', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('a pause process that dies is replaced: containers killed, init containers run again, restartCount counts', async () => {
    node = testNode();
    const w = node.run(
      podManifest('phoenix', {
        terminationGracePeriodSeconds: 2,
        initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo init-ran'] }],
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }],
      }),
    );
    await waitForPod(node, w, firstRunning);
    const firstPause = w.sandbox!.pid;
    process.kill(firstPause, 'SIGKILL');
    const p = await waitForPod(node, w, (x) => x.status?.containerStatuses?.[0].restartCount === 1 && x.status.containerStatuses[0].state?.running !== undefined);
    expect(w.sandbox!.pid).not.toBe(firstPause);
    expect(p.status!.initContainerStatuses![0].restartCount).toBe(1);
    expect(logOf(node, w, 'init', 1)).toEqual(['init-ran']);
    expect(eventsOf(node, w).map((e) => e.reason)).toContain('SandboxChanged');
    expect(p.status!.podIP).toBeDefined();
  });
});

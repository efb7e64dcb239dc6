// Poison pods and long clocks (issue 10): what can never start is refused at validation with its
// field path; what gets past validation anyway (kubelet.createPod directly, as a stored pod from an
// older agent would) fails as that pod's status and the agent goes on; grace periods and deadlines
// up to the API's limits neither fire early nor crash the agent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultPod } from '../src/api/defaults.js';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import { MAX_CPU_MILLIS } from '../src/api/kernelLimits.js';
import type { Container, Pod } from '../src/api/types.js';
import { validatePod } from '../src/api/validate.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import { eventsOf } from './helpers/logs.js';
import { firstContainer, firstRunning, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const KiB = 1024;
const big = (n: number, ch = 'x') => ch.repeat(n);
const sleeper: Container = { name: 'app', image: 'busybox', command: ['sleep', '3600'] };

function errorsOf(spec: Partial<Pod['spec']> & { containers: Container[] }): string[] {
  return formatFieldErrors(validatePod(defaultPod(podManifest('p', spec))).errors);
}

const app = (extra: Partial<Container>): { containers: Container[] } => ({ containers: [{ ...sleeper, ...extra }] });
const manyContainers = (n: number, prefix: string): Container[] => Array.from({ length: n }, (_, i) => ({ ...sleeper, name: `${prefix}${i}` }));
const volumes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `v${i}`, emptyDir: {} }));

describe('poison pods are refused at validation, with their field paths', () => {
  const cases: [string, Partial<Pod['spec']> & { containers: Container[] }, RegExp][] = [
    ['a NUL byte in an arg', app({ args: ['a\0b'] }), /^spec\.containers\[0\]\.args\[0\]: Invalid value: "a\\u0000b": must not contain a NUL byte$/],
    ['a NUL byte in the command', app({ command: ['sh\0', '-c'] }), /^spec\.containers\[0\]\.command\[0\]: Invalid value: .*must not contain a NUL byte$/],
    ['a NUL byte in an env value', app({ env: [{ name: 'A', value: 'x\0' }] }), /^spec\.containers\[0\]\.env\[0\]\.value: Invalid value: .*must not contain a NUL byte$/],
    ['a NUL byte in workingDir', app({ workingDir: '/tmp\0' }), /^spec\.containers\[0\]\.workingDir: Invalid value: .*NUL byte$/],
    ['a NUL byte in a mountPath', { ...app({ volumeMounts: [{ name: 'v0', mountPath: '/data\0' }] }), volumes: volumes(1) }, /^spec\.containers\[0\]\.volumeMounts\[0\]\.mountPath: .*NUL byte$/],
    ['a NUL byte in a subPath', { ...app({ volumeMounts: [{ name: 'v0', mountPath: '/data', subPath: 'a\0' }] }), volumes: volumes(1) }, /^spec\.containers\[0\]\.volumeMounts\[0\]\.subPath: .*NUL byte$/],
    ['a NUL byte in a hostPath', { ...sleeperSpec(), volumes: [{ name: 'h', hostPath: { path: '/tmp/\0x' } }] }, /^spec\.volumes\[0\]\.hostPath\.path: .*NUL byte$/],
    ['a NUL byte in an exec probe', app({ livenessProbe: { exec: { command: ['true\0'] } } }), /^spec\.containers\[0\]\.livenessProbe\.exec\.command\[0\]: .*NUL byte$/],
    ['one arg over 128 KiB', app({ args: [big(128 * KiB)] }), /^spec\.containers\[0\]\.args\[0\]: Too long: may not be more than 131071 bytes: execve takes at most 131072 bytes per string \(MAX_ARG_STRLEN\)/],
    ['one env var over 128 KiB', app({ env: [{ name: 'BIG', value: big(128 * KiB - 4) }] }), /^spec\.containers\[0\]\.env\[0\]\.value: Too long: may not be more than 131067 bytes: .*"BIG=" followed by the value$/],
    ['args and env over the 1 MiB exec budget', app({ args: Array.from({ length: 11 }, () => big(100_000)) }), /^spec\.containers\[0\]: Too long: may not be more than 1048576 bytes: command, args and env take 1100\d{3} bytes together/],
    ['a cpu limit the kernel refuses', app({ resources: { limits: { cpu: '1000000000' } } }), /^spec\.containers\[0\]\.resources\.limits\[cpu\]: Invalid value: "1000000000": must be less than or equal to 175921860444m: the kernel's largest CFS quota is 2\^44-1 microseconds per 100ms period$/],
    ['a memory limit past 2^63 bytes', app({ resources: { limits: { memory: '100Ei' } } }), /^spec\.containers\[0\]\.resources\.limits\[memory\]: Invalid value: "100Ei": must be less than or equal to 8Ei/],
    ['101 containers', { containers: manyContainers(101, 'c') }, /^spec\.containers: Too many: 101: must have at most 100 items \(init containers and containers together\)$/],
    ['60 init and 60 app containers', { containers: manyContainers(60, 'c'), initContainers: manyContainers(60, 'i') }, /^spec\.initContainers: Too many: 120: must have at most 100 items/],
    ['101 volumes', { ...sleeperSpec(), volumes: volumes(101) }, /^spec\.volumes: Too many: 101: must have at most 100 items$/],
    ['101 volume mounts', { ...app({ volumeMounts: Array.from({ length: 101 }, (_, i) => ({ name: 'v0', mountPath: `/m${i}` })) }), volumes: volumes(1) }, /^spec\.containers\[0\]\.volumeMounts: Too many: 101: must have at most 100 items$/],
    ['a probe period beyond int32', app({ readinessProbe: { exec: { command: ['true'] }, periodSeconds: 2 ** 31 } }), /^spec\.containers\[0\]\.readinessProbe\.periodSeconds: Invalid value: 2147483648: must be an integer of type int32/],
    ['a grace period beyond int64', { ...sleeperSpec(), terminationGracePeriodSeconds: 1e19 }, /^spec\.terminationGracePeriodSeconds: Invalid value: 10000000000000000000: must be an integer of type int64/],
    ['activeDeadlineSeconds beyond the API\'s int32 range', { ...sleeperSpec(), activeDeadlineSeconds: 2 ** 31 }, /^spec\.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and 2147483647, inclusive$/],
  ];
  for (const [what, spec, expected] of cases) {
    it(what, () => {
      const errors = errorsOf(spec);
      expect(errors.some((e) => expected.test(e)), errors.map((e) => e.slice(0, 300)).join('\n')).toBe(true);
    });
  }

  it('accepts what is at the limits: the kernel takes these', () => {
    expect(errorsOf(app({ args: [big(128 * KiB - 1)], resources: { limits: { cpu: `${MAX_CPU_MILLIS}m`, memory: '8Ei' } } }))).toEqual([]);
    expect(errorsOf({ containers: manyContainers(50, 'c'), initContainers: manyContainers(50, 'i'), volumes: volumes(100) })).toEqual([]);
    const clocks = { terminationGracePeriodSeconds: 1e18, activeDeadlineSeconds: 2147483647 };
    const probe = { exec: { command: ['true'] }, initialDelaySeconds: 2147483647, periodSeconds: 2147483647, timeoutSeconds: 2147483647, failureThreshold: 2147483647 };
    expect(errorsOf({ ...clocks, ...app({ livenessProbe: probe, lifecycle: { preStop: { sleep: { seconds: 1e18 } } } }) })).toEqual([]);
  });
});

function sleeperSpec(): { containers: Container[] } {
  return { containers: [sleeper] };
}

// ---- Past validation: the agent survives, and the pod tells what went wrong.

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Creates a pod as a stored one would come back: defaulted, never validated. */
function runUnvalidated(node: TestNode, name: string, spec: Partial<Pod['spec']> & { containers: Container[] }): PodWorker {
  return node.run(podManifest(name, { restartPolicy: 'Never', ...spec }));
}

describe('poison pods that get past validation fail as their own status, never the agent', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('NUL bytes, E2BIG, an exploding $(VAR), a cpu limit the kernel refuses, a NUL hostPath: each pod shows its error', async () => {
    node = testNode();
    const bomb = [{ name: 'E0', value: big(1000) }, ...Array.from({ length: 20 }, (_, i) => ({ name: `E${i + 1}`, value: `$(E${i})$(E${i})` }))];
    const pods = {
      nulArg: runUnvalidated(node, 'nul-arg', app({ args: ['a\0b'] })),
      nulEnv: runUnvalidated(node, 'nul-env', app({ env: [{ name: 'A', value: 'x\0y' }] })),
      nulMount: runUnvalidated(node, 'nul-mount', { ...app({ volumeMounts: [{ name: 'v0', mountPath: '/data\0' }] }), volumes: volumes(1) }),
      bigArg: runUnvalidated(node, 'big-arg', app({ command: ['echo', big(200 * KiB)] })),
      argMax: runUnvalidated(node, 'arg-max', app({ command: ['echo', ...Array.from({ length: 30 }, () => big(100_000))] })),
      bomb: runUnvalidated(node, 'env-bomb', app({ env: bomb })),
      cpu: runUnvalidated(node, 'cpu', app({ resources: { limits: { cpu: '1000000000' } } })),
      hostPath: runUnvalidated(node, 'nul-hostpath', { ...app({ volumeMounts: [{ name: 'h', mountPath: '/h' }] }), volumes: [{ name: 'h', hostPath: { path: '/tmp/tinylet-\0nul' } }] }),
    };
    const healthy = node.run(podManifest('healthy', { containers: [sleeper] }));

    const waiting = (w: PodWorker) => waitForPod(node, w, (p) => firstContainer(p)?.state?.waiting?.reason === 'CreateContainerError');
    for (const w of [pods.nulArg, pods.nulEnv, pods.nulMount]) {
      const st = firstContainer(await waiting(w));
      expect(st.state!.waiting!.message).toMatch(/^failed to generate container spec: (arg|env|bind): value contains a NUL byte$/);
    }

    const startError = (w: PodWorker) => waitForPod(node, w, (p) => firstContainer(p)?.state?.terminated?.reason === 'StartError');
    for (const w of [pods.bigArg, pods.argMax, pods.bomb]) {
      const pod = await startError(w);
      expect(firstContainer(pod).state!.terminated!.message).toMatch(/argument list too long/i);
      expect(firstContainer(pod).state!.terminated!.exitCode).toBe(128);
      expect(pod.status!.phase).toBe('Failed'); // restartPolicy Never: a StartError fails the pod, as on a cluster
    }
    expect(firstContainer(await startError(pods.bomb)).state!.terminated!.message).toMatch(/env E\d+: longer than 131072 characters after \$\(VAR\) expansion/);

    const cpu = firstContainer(await startError(pods.cpu)).state!.terminated!;
    expect(cpu.message).toMatch(/error setting cgroup config: failed to write "100000000000000( 100000)?": write \/sys\/fs\/cgroup\/\S+(cpu\.cfs_quota_us|cpu\.max): invalid argument/);
    // The container's cgroup went with the failure: nothing was left behind in any hierarchy.
    const uid = pods.cpu.pod.metadata!.uid!;
    for (const h of ['cpu', 'memory', 'pids', 'unified', '']) expect(existsSync(join('/sys/fs/cgroup', h, node.config.cgroupParent, `${uid}_app_0`))).toBe(false);

    // A hostPath the node cannot even make: the sandbox fails, retried, with the kubelet's event.
    await waitUntil(() => eventsOf(node, pods.hostPath).some((e) => e.reason === 'FailedCreatePodSandBox'), 10_000);
    expect(pods.hostPath.pod.status!.phase).toBe('Pending');

    // The agent is fine: the healthy pod runs, every poison pod's worker is done or waiting, nothing escaped.
    await waitForPod(node, healthy, firstRunning);
    await Promise.all([pods.bigArg, pods.argMax, pods.bomb, pods.cpu].map((w) => w.done));
    expect(unhandled).toEqual([]);
  });

  it('a preStop hook that cannot even run (a NUL byte in its command) fails as a hook, and the container still stops', async () => {
    node = testNode();
    const polite: Container = { name: 'app', image: 'busybox', command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.1; done"] };
    const w = runUnvalidated(node, 'nul-prestop', { containers: [{ ...polite, lifecycle: { preStop: { exec: { command: ['true\0'] } } } }] });
    await waitForPod(node, w, firstRunning);
    node.kubelet.deletePod('default', 'nul-prestop', { gracePeriodSeconds: 30 });
    await w.done;
    expect(eventsOf(node, w).find((e) => e.reason === 'FailedPreStopHook')?.message).toMatch(/^Exec lifecycle hook failed - error: .*null bytes/);
    expect(firstContainer(w.pod).state!.terminated!.exitCode).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('an error no step of the pod handles ends its worker with FailedSync: done resolves, the agent goes on', async () => {
    node = testNode();
    const w = node.run(podManifest('teardown-fails', { containers: [sleeper] }));
    await waitForPod(node, w, firstRunning);
    // Removing the pod's network fails once, unexpectedly (an injected fault, as a full disk or a bug would).
    const network = node.kubelet.network;
    const detach = network.detach.bind(network);
    network.detach = async () => {
      network.detach = detach;
      throw new Error('injected: detach failed');
    };
    node.kubelet.deletePod('default', 'teardown-fails', { gracePeriodSeconds: 0 });
    await expect(w.done).resolves.toBeUndefined();
    expect(w.finished).toBe(true);
    expect(eventsOf(node, w).find((e) => e.reason === 'FailedSync')?.message).toBe('error syncing pod: injected: detach failed');
    // The node still runs pods.
    const next = node.run(podManifest('after', { containers: [sleeper] }));
    await waitForPod(node, next, firstRunning);
    expect(unhandled).toEqual([]);
  });

  it('a memory limit past 2^64 bytes means no limit, not one wrapped around to a few bytes', async () => {
    node = testNode();
    const w = runUnvalidated(node, 'huge-memory', app({ resources: { limits: { memory: '100Ei' } } }));
    await waitForPod(node, w, firstRunning);
    const dirs = w.records[0]!.cgroup!.dirs;
    const v2 = dirs.find((d) => existsSync(join(d, 'memory.max')));
    const file = v2 ? join(v2, 'memory.max') : join(dirs.find((d) => d.startsWith('/sys/fs/cgroup/memory/'))!, 'memory.limit_in_bytes');
    const limit = readFileSync(file, 'utf8').trim();
    expect(limit === 'max' || Number(limit) > 2 ** 62).toBe(true);
  });
});

describe('clocks up to the API\'s limits', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  /** A container that ignores SIGTERM: `sleep` as PID 1 of its PID namespace has no handler, so only SIGKILL ends it. */
  async function stubborn(name: string, grace: number): Promise<PodWorker> {
    const w = node.run(podManifest(name, { terminationGracePeriodSeconds: grace, containers: [sleeper] }));
    await waitForPod(node, w, firstRunning);
    return w;
  }

  async function stillRunningAfterASecond(w: PodWorker): Promise<void> {
    await new Promise((r) => setTimeout(r, 1000));
    expect(firstContainer(w.pod).state!.running).toBeDefined();
    expect(() => process.kill(w.records[0]!.process!.pid, 0)).not.toThrow();
    expect(eventsOf(node, w).map((e) => e.reason)).not.toContain('ExceededGracePeriod');
  }

  async function forceDelete(w: PodWorker): Promise<number> {
    const start = Date.now();
    node.kubelet.deletePod('default', w.pod.metadata!.name!, { gracePeriodSeconds: 0, force: true });
    await w.done;
    expect(firstContainer(w.pod).state!.terminated!.exitCode).toBe(137);
    return Date.now() - start;
  }

  it('a grace period of 2^31 s, given with the delete, is honoured (it used to SIGKILL after 0.2 s)', async () => {
    node = testNode();
    const w = await stubborn('grace-2e31', 30);
    node.kubelet.deletePod('default', 'grace-2e31', { gracePeriodSeconds: 2 ** 31 });
    expect(w.pod.metadata!.deletionGracePeriodSeconds).toBe(2 ** 31);
    expect(w.pod.metadata!.deletionTimestamp).toMatch(/^20(8|9)\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/); // 68 years on
    await stillRunningAfterASecond(w);
    expect(eventsOf(node, w).find((e) => e.reason === 'Signal')!.message).toMatch(/SIGKILL in 2147483648s$/);
    // A forced delete shortens the deletion under way: SIGKILL after the 2 s minimum.
    expect(await forceDelete(w)).toBeLessThan(4000);
  });

  it('a grace period of 1e18 s from the pod spec: the default delete works and is honoured (it used to answer 500)', async () => {
    node = testNode();
    const w = await stubborn('grace-1e18', 1e18);
    expect(() => node.kubelet.deletePod('default', 'grace-1e18')).not.toThrow();
    // The grace as given; its timestamp the last one RFC 3339 can write.
    expect(w.pod.metadata!.deletionGracePeriodSeconds).toBe(1e18);
    expect(w.pod.metadata!.deletionTimestamp).toBe('9999-12-31T23:59:59Z');
    await stillRunningAfterASecond(w);
    // Stopping the node with grace 0 brings the deletion under way forward too.
    const start = Date.now();
    await node.kubelet.shutdown({ gracePeriodSeconds: 0 });
    expect(Date.now() - start).toBeLessThan(4000);
    expect(firstContainer(w.pod).state!.terminated!.exitCode).toBe(137);
  });

  it('activeDeadlineSeconds and probe timings beyond 2^31 ms do not fire early', async () => {
    node = testNode();
    const w = node.run(
      podManifest('long-clocks', {
        activeDeadlineSeconds: 2_147_484, // 2^31 ms and a bit: setTimeout would fire this after 1 ms
        containers: [
          {
            ...sleeper,
            // A probe that takes 300 ms against a timeout of 68 years: it must succeed, not time out at once.
            readinessProbe: { exec: { command: ['sh', '-c', 'sleep 0.3'] }, timeoutSeconds: 2147483647, periodSeconds: 1 },
            // A failing liveness probe that must never run: its initial delay is 68 years.
            livenessProbe: { exec: { command: ['false'] }, initialDelaySeconds: 2147483647, periodSeconds: 2147483647 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => firstContainer(p)?.ready === true, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    const reasons = eventsOf(node, w).map((e) => e.reason);
    expect(reasons).not.toContain('DeadlineExceeded');
    expect(reasons).not.toContain('Unhealthy');
    expect(w.pod.status!.phase).toBe('Running');
    expect(firstContainer(w.pod).restartCount).toBe(0);
    expect(unhandled).toEqual([]);
  });
});

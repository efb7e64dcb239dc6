// The Kubernetes pause image as a container: tinylet's pause binary at /pause, as the container's
// PID 1, from an empty root, exiting 0 on SIGTERM like the image's pause.c. Real processes.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { execInContainer } from '../src/runtime/exec.js';
import { ImageCatalog } from '../src/runtime/images/catalog.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const allRunning = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running !== undefined);
/** The real uid of a host process. */
const uidOf = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1];

describe('pause images in the catalog', () => {
  const catalog = new ImageCatalog();
  it.each([
    ['k8s.gcr.io/pause:3.1', undefined],
    ['k8s.gcr.io/pause-amd64:3.1', undefined],
    ['gcr.io/google_containers/pause:0.8.0', undefined],
    ['gcr.io/google_containers/pause-amd64:3.0', undefined],
    ['registry.k8s.io/pause:3.5', '65535:65535'],
    ['registry.k8s.io/pause:3.10', '65535:65535'],
    ['registry.k8s.io/pause', '65535:65535'],
    [`registry.k8s.io/pause@sha256:${'e'.repeat(64)}`, '65535:65535'],
  ])('%s runs /pause from scratch (user %s)', (image, user) => {
    const r = catalog.find(image)!;
    expect(r.config).toMatchObject({ entrypoint: ['/pause'], cmd: [], scratch: true, hostFiles: [{ dst: '/pause' }] });
    expect(r.config.user).toBe(user);
    // No STOPSIGNAL in the image: SIGTERM.
    expect(r.config.stopSignal).toBeUndefined();
  });
  it('does not take other images of those registries for pause', () => {
    expect(catalog.find('registry.k8s.io/coredns/coredns:v1.11.1')).toBeUndefined();
    expect(catalog.find('pause')).toBeUndefined();
  });
});

describe('a pause container', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('runs as PID 1 of its container, sleeps, and exits 0 on SIGTERM with the image\'s message', async () => {
    node = testNode();
    const w = node.run(
      podManifest('infra', {
        terminationGracePeriodSeconds: 5,
        containers: [
          { name: 'old', image: 'k8s.gcr.io/pause:3.1' },
          { name: 'new', image: 'registry.k8s.io/pause:3.10' },
          { name: 'look', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] },
        ],
      }),
    );
    const p = await waitForPod(node, w, allRunning);
    expect(p.status!.containerStatuses!.map((s) => s.image)).toEqual(['k8s.gcr.io/pause:3.1', 'registry.k8s.io/pause:3.10', 'docker.io/library/busybox:latest']);
    const [old, neu] = w.records;
    expect(old!.argv).toEqual(['/pause']);
    expect(uidOf(old!.process!.pid)).toBe('0');
    expect(uidOf(neu!.process!.pid)).toBe('65535');
    // PID 1 of its own PID namespace, in a root with nothing but /pause (no shell to exec).
    expect(readFileSync(`/proc/${old!.process!.pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
    const shell = await execInContainer({ pid: old!.process!.pid, specPath: old!.process!.specPath }, ['/bin/sh', '-c', 'true'], { env: {} });
    expect(shell.exitCode).not.toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.records.slice(0, 2).map((r) => r.restartCount)).toEqual([0, 0]);
    expect(logOf(node, w, 'old')).toEqual([]);

    const t0 = Date.now();
    node.kubelet.deletePod('default', 'infra');
    await w.done;
    // Prompt: SIGTERM ends it, no SIGKILL at the grace period.
    expect(Date.now() - t0).toBeLessThan(3000);
    for (const s of w.pod.status!.containerStatuses!.slice(0, 2)) expect(s.state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(eventsOf(node, w).some((e) => e.reason === 'ExceededGracePeriod')).toBe(false);
    expect(logOf(node, w, 'old')).toEqual(['Shutting down, got signal: Terminated']);
  });

  it('with runAsNonRoot: the 3.5+ image runs (65535), 3.1 is refused as the kubelet refuses a root image', async () => {
    node = testNode();
    const w = node.run(
      podManifest('nonroot', {
        securityContext: { runAsNonRoot: true },
        containers: [
          { name: 'new', image: 'registry.k8s.io/pause:3.9' },
          { name: 'old', image: 'k8s.gcr.io/pause:3.1' },
        ],
      }),
    );
    await waitForPod(node, w, (p) => p.status?.containerStatuses?.[1]?.state?.waiting?.reason === 'CreateContainerConfigError');
    await waitUntil(() => firstContainer(w.pod).state?.running !== undefined);
    expect(w.pod.status!.containerStatuses![1]!.state!.waiting!.message).toMatch(/runAsNonRoot and image will run as root/);
  });
});

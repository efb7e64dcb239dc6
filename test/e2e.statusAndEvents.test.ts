// What a user watching a new pod sees, on real processes: STATUS Pending then ContainerCreating
// (or Init:N/M then PodInitializing), InvalidImageName for a non-reference, and a crash loop's
// events counted on a few objects instead of one object per occurrence.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { describeEventsSection } from '../src/api/printers/describePod.js';
import { podStatusReason } from '../src/api/printers/podStatus.js';
import { eventsOf } from './helpers/logs.js';
import { firstContainer, firstRunning, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

/** kubectl's STATUS column at every change of the pod, the create's answer (ADDED) included; repeats folded. */
function statusColumn(node: TestNode, name: string): string[] {
  const seen: string[] = [];
  node.kubelet.on('pod', (_type: string, pod: Pod) => {
    if (pod.metadata?.name !== name) return;
    const s = podStatusReason(pod);
    if (seen.at(-1) !== s) seen.push(s);
  });
  return seen;
}

describe('STATUS of a new pod, as kubectl computes it', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('Pending, ContainerCreating, Running without init containers; Pending, Init:0/1, PodInitializing, Running with one', async () => {
    node = testNode();
    const plain = statusColumn(node, 'plain');
    const withInit = statusColumn(node, 'with-init');
    const a = node.run(podManifest('plain', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] }));
    // The create's answer is the API server's object: no container statuses yet.
    expect(a.pod.status!.containerStatuses).toBeUndefined();
    const b = node.run(
      podManifest('with-init', {
        initContainers: [{ name: 'setup', image: 'busybox', command: ['sleep', '0.3'] }],
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
      }),
    );
    await waitForPod(node, a, firstRunning);
    await waitForPod(node, b, firstRunning);
    expect(plain).toEqual(['Pending', 'ContainerCreating', 'Running']);
    expect(withInit).toEqual(['Pending', 'Init:0/1', 'PodInitializing', 'Running']);
  });

  it('an image that is no reference ($PRIVATE_IMAGE_NAME) waits with InvalidImageName, tried again without a pull back-off', async () => {
    // The retry period is the kubelet's backOffPeriod (10 s), taken from the first CrashLoopBackOff delay.
    node = testNode({ crashLoopBackOff: { initialDelayMs: 200, maxContainerRestartPeriodMs: 1000 } });
    const column = statusColumn(node, 'private');
    const w = node.run(podManifest('private', { containers: [{ name: 'app', image: '$PRIVATE_IMAGE_NAME', command: ['sleep', '3600'] }] }));
    const message =
      'Failed to apply default image tag "$PRIVATE_IMAGE_NAME": couldn\'t parse image name "$PRIVATE_IMAGE_NAME": invalid reference format: repository name (library/$PRIVATE_IMAGE_NAME) must be lowercase';
    const p = await waitForPod(node, w, (x) => firstContainer(x).state?.waiting?.reason === 'InvalidImageName');
    expect(firstContainer(p).state!.waiting!.message).toBe(message);
    await waitUntil(() => (node.kubelet.events.forPod('default', 'private').find((e) => e.reason === 'InspectFailed')?.count ?? 0) >= 4, 10_000);
    const objects = node.kubelet.events.forPod('default', 'private');
    expect(objects.find((e) => e.reason === 'InspectFailed')).toMatchObject({ type: 'Warning', message, source: { component: 'kubelet' } });
    expect(objects.find((e) => e.reason === 'Failed')).toMatchObject({ type: 'Warning', message: 'Error: InvalidImageName' });
    expect(objects.find((e) => e.reason === 'Failed')!.count).toBeGreaterThanOrEqual(4);
    // No pull was tried: no catalog hint, no ErrImagePull/ImagePullBackOff, no BackOff.
    expect(eventsOf(node, w).map((e) => e.message).join('\n')).not.toMatch(/ErrImagePull|ImagePullBackOff|catalog|Back-off/);
    expect(column).toEqual(['Pending', 'ContainerCreating', 'InvalidImageName']);
    expect(w.pod.status!.phase).toBe('Pending');
    // An image fixed by an update is picked up on the next try.
    node.kubelet.updatePod('default', 'private', { ...w.pod, spec: { ...w.pod.spec!, containers: [{ ...w.pod.spec!.containers[0]!, image: 'busybox' }] } });
    await waitForPod(node, w, firstRunning, 10_000);
  });

  it('a crash loop counts its repeats on a few event objects; describe shows "(xN over ...)"', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 50, maxContainerRestartPeriodMs: 200 } });
    const w = node.run(podManifest('crasher', { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] }));
    await waitForPod(node, w, (p) => (firstContainer(p).restartCount ?? 0) >= 20, 30_000);
    const occurrences = eventsOf(node, w).length;
    const objects = node.kubelet.events.forPod('default', 'crasher');
    const backOff = objects.filter((e) => e.reason === 'BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0]!.count).toBeGreaterThan(10);
    expect(backOff[0]!.firstTimestamp! <= backOff[0]!.lastTimestamp!).toBe(true);
    expect(backOff[0]!.series!.count).toBe(backOff[0]!.count);
    // Per restart: Pulled, Created, Started, BackOff (identical each time), ProcessStarted and Exited
    // (a new pid each time: combined after 10). Over 100 occurrences, at most ~30 objects.
    expect(occurrences).toBeGreaterThan(100);
    expect(objects.length).toBeLessThanOrEqual(30);
    expect(objects.some((e) => e.reason === 'Exited' && e.message!.startsWith('(combined from similar events): Container app (pid '))).toBe(true);
    const describe = describeEventsSection(objects, Date.now());
    expect(describe).toMatch(/\n {2}Warning {2}BackOff +\d+s \(x\d+ over \d+s\) +kubelet +Back-off restarting failed container app in pod crasher_default\(/);
  });
});

// App containers start one at a time in spec order, and a postStart hook holds back the next one
// (SyncPod's start loop; startContainer runs postStart before it returns). Real processes.
import { afterEach, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../src/api/types.js';
import { eventsOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const allRunning = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running !== undefined);
const varlog = [{ name: 'varlog', mountPath: '/var/log' }];

/** The first occurrence of `reason` for each container, in the order they happened. */
function firsts(node: TestNode, w: ReturnType<TestNode['run']>, reason: string) {
  const seen = new Map<string, number>();
  for (const e of eventsOf(node, w)) if (e.reason === reason && e.fieldPath && !seen.has(e.fieldPath)) seen.set(e.fieldPath, e.at);
  return seen;
}

describe('app container start order', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('starts the classic counter pod writer first, then its tail -f readers, in spec order', async () => {
    node = testNode();
    const w = node.run(
      podManifest('counter', {
        volumes: [{ name: 'varlog', emptyDir: {} }],
        containers: [
          { name: 'count', image: 'busybox:1.28', args: ['/bin/sh', '-c', 'i=0; while true; do echo "$i: $(date)" >> /var/log/1.log; i=$((i+1)); sleep 1; done'], volumeMounts: varlog },
          { name: 'count-log-1', image: 'busybox:1.28', args: ['/bin/sh', '-c', 'tail -f /var/log/1.log'], volumeMounts: varlog },
          { name: 'count-log-2', image: 'busybox:1.28', args: ['/bin/sh', '-c', 'tail -f /var/log/1.log'], volumeMounts: varlog },
        ],
      }),
    );
    await waitForPod(node, w, allRunning);
    const order = eventsOf(node, w).filter((e) => ['Pulled', 'Started', 'ProcessStarted'].includes(e.reason)).map((e) => `${e.reason} ${e.fieldPath}`);
    expect(order).toEqual(
      ['count', 'count-log-1', 'count-log-2'].flatMap((c) => [`Pulled spec.containers{${c}}`, `Started spec.containers{${c}}`, `ProcessStarted spec.containers{${c}}`]),
    );
    const started = [...firsts(node, w, 'ProcessStarted').values()];
    expect(started[0]).toBeLessThanOrEqual(started[1]!);
    expect(started[1]).toBeLessThanOrEqual(started[2]!);
    const at = w.pod.status!.containerStatuses!.map((s) => Date.parse(s.state!.running!.startedAt!));
    expect(at[0]).toBeLessThanOrEqual(at[1]!);
    expect(at[1]).toBeLessThanOrEqual(at[2]!);
  });

  it('a postStart hook of 1 s holds back the next container by at least 1 s', async () => {
    node = testNode();
    const sleeper = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', command: ['sleep', '3600'], ...extra });
    const w = node.run(
      podManifest('hooked', {
        containers: [sleeper('first', { lifecycle: { postStart: { exec: { command: ['sleep', '1'] } } } }), sleeper('second')],
      }),
    );
    const statuses: string[] = [];
    node.kubelet.on('pod', () => {
      const [a, b] = w.pod.status?.containerStatuses ?? [];
      statuses.push(`${a?.state?.running ? 'running' : a?.state?.waiting?.reason}/${b?.state?.running ? 'running' : b?.state?.waiting?.reason}`);
    });
    await waitForPod(node, w, allRunning);
    const started = firsts(node, w, 'Started');
    const pulled = firsts(node, w, 'Pulled');
    const gap = started.get('spec.containers{second}')! - started.get('spec.containers{first}')!;
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(gap).toBeLessThan(3000);
    // The next container's start (its image step included) begins once the hook is done.
    expect(pulled.get('spec.containers{second}')! - started.get('spec.containers{first}')!).toBeGreaterThanOrEqual(1000);
    // first is reported running (hook done) before second runs.
    expect(statuses).toContain('running/ContainerCreating');
    expect(statuses).not.toContain('ContainerCreating/running');
  });

  it('a container that cannot start does not hold back the next one', async () => {
    node = testNode();
    const w = node.run(
      podManifest('half', {
        containers: [{ name: 'broken', image: 'no-such-image' }, { name: 'fine', image: 'busybox', command: ['sleep', '3600'] }],
      }),
    );
    const p = await waitForPod(node, w, (x) => x.status?.containerStatuses?.[1]?.state?.running !== undefined);
    expect(p.status!.containerStatuses![0]!.state!.waiting!.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
  });

  it('a deletion while a postStart hook holds the queue stops the pod; the next container never starts', async () => {
    node = testNode();
    const w = node.run(
      podManifest('stuck', {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'slow', image: 'busybox', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sleep', '30'] } } } },
          { name: 'next', image: 'busybox', command: ['sleep', '3600'] },
        ],
      }),
    );
    await waitUntil(() => eventsOf(node, w).some((e) => e.reason === 'Started'));
    const t0 = Date.now();
    node.kubelet.deletePod('default', 'stuck', { gracePeriodSeconds: 1 });
    await w.done;
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(eventsOf(node, w).some((e) => e.reason === 'Started' && e.fieldPath === 'spec.containers{next}')).toBe(false);
  });
});

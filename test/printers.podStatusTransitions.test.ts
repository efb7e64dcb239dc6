// kubectl's STATUS column along a new pod's life, computed by the printer (printPod) from the
// statuses the pod worker writes: the API server's Pending, then the kubelet's default waiting
// reasons (ContainerCreating; PodInitializing for every container of a pod with init containers).
import { describe, expect, it } from 'vitest';
import type { Container, ContainerState, Pod, PodStatus } from '../src/api/types.js';
import { podStatusReason } from '../src/api/printers/podStatus.js';
import { RestartBackoff } from '../src/kubelet/backoff.js';
import { defaultWaitingReason, newRecord, type ContainerRecord } from '../src/kubelet/containerRecord.js';
import { buildPodStatus, ConditionTracker, unsyncedPodStatus } from '../src/kubelet/podStatus.js';

const c = (name: string): Container => ({ name, image: 'busybox' });

/** A pod as the pod worker keeps it: records, and whether it has synced and finished its init containers. */
function podOf(init: Container[], apps: Container[]) {
  const waiting = defaultWaitingReason(init.length > 0);
  const records: ContainerRecord[] = [
    ...init.map((x) => newRecord(x, 'init', `spec.initContainers{${x.name}}`, new RestartBackoff(10, 300), waiting)),
    ...apps.map((x) => newRecord(x, 'app', `spec.containers{${x.name}}`, new RestartBackoff(10, 300), waiting)),
  ];
  const conditions = new ConditionTracker();
  conditions.set('PodScheduled', true);
  const state = { synced: false, initDone: false };
  const status = (): PodStatus =>
    state.synced
      ? buildPodStatus({ restartPolicy: 'Always', records, hostIP: '10.0.0.1', readinessGates: [], extraConditions: [], initDone: state.initDone }, conditions)
      : unsyncedPodStatus(conditions, []);
  const pod = (): Pod => ({ metadata: { name: 'p', namespace: 'default' }, spec: { initContainers: init, containers: apps }, status: status() });
  const set = (name: string, s: ContainerState) => {
    const r = records.find((x) => x.name === name)!;
    r.state = s;
    if (s.running) r.ready = r.role === 'app';
  };
  return { records, state, pod, set };
}

const running: ContainerState = { running: { startedAt: '2026-03-01T10:00:00Z' } };
const completed: ContainerState = { terminated: { exitCode: 0, reason: 'Completed' } };

describe('STATUS of a new pod', () => {
  it('without init containers: Pending, then ContainerCreating, then Running', () => {
    const p = podOf([], [c('a'), c('b')]);
    expect(p.pod().status!.containerStatuses).toBeUndefined();
    expect(podStatusReason(p.pod())).toBe('Pending');
    p.state.synced = true;
    expect(p.pod().status!.containerStatuses!.map((s) => s.state!.waiting!.reason)).toEqual(['ContainerCreating', 'ContainerCreating']);
    expect(podStatusReason(p.pod())).toBe('ContainerCreating');
    // GeneratePodInitializedCondition: no init containers, Initialized from the first status.
    expect(p.pod().status!.conditions!.find((x) => x.type === 'Initialized')!.status).toBe('True');
    p.state.initDone = true; // the sandbox is up, the app containers start
    // The first container's reason is the one shown (printPod walks the statuses backwards).
    p.set('a', running);
    expect(podStatusReason(p.pod())).toBe('ContainerCreating');
    p.set('b', running);
    expect(podStatusReason(p.pod())).toBe('Running');
  });

  it('with init containers: Pending, Init:0/2, Init:1/2, PodInitializing, Running', () => {
    const p = podOf([c('i1'), c('i2')], [c('app')]);
    expect(podStatusReason(p.pod())).toBe('Pending');
    p.state.synced = true;
    // Every container waits PodInitializing, the app container too (hasInitContainers).
    expect([...p.pod().status!.initContainerStatuses!, ...p.pod().status!.containerStatuses!].map((s) => s.state!.waiting!.reason)).toEqual(['PodInitializing', 'PodInitializing', 'PodInitializing']);
    expect(podStatusReason(p.pod())).toBe('Init:0/2');
    p.set('i1', running);
    expect(podStatusReason(p.pod())).toBe('Init:0/2');
    p.set('i1', completed);
    expect(podStatusReason(p.pod())).toBe('Init:1/2');
    p.set('i2', completed);
    p.state.initDone = true;
    expect(podStatusReason(p.pod())).toBe('PodInitializing');
    p.set('app', running);
    expect(podStatusReason(p.pod())).toBe('Running');
  });

  it('a waiting reason other than the default shows as is: Init:ErrImagePull, InvalidImageName', () => {
    const withInit = podOf([c('i1')], [c('app')]);
    withInit.state.synced = true;
    withInit.set('i1', { waiting: { reason: 'ErrImagePull', message: 'x' } });
    expect(podStatusReason(withInit.pod())).toBe('Init:ErrImagePull');
    const plain = podOf([], [c('app')]);
    plain.state.synced = true;
    plain.set('app', { waiting: { reason: 'InvalidImageName', message: 'x' } });
    expect(podStatusReason(plain.pod())).toBe('InvalidImageName');
  });

  it('a pod rejected at admission shows its reason: no container statuses hide it', () => {
    const conditions = new ConditionTracker();
    conditions.set('PodScheduled', true);
    const status = unsyncedPodStatus(conditions, [], { reason: 'SysctlForbidden', message: 'Pod was rejected: forbidden sysctl' });
    expect(status).toMatchObject({ phase: 'Failed', reason: 'SysctlForbidden' });
    expect(podStatusReason({ spec: { containers: [c('app')] }, status })).toBe('SysctlForbidden');
  });
});

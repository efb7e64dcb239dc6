import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod } from '../src/api/types.js';
import { podReadyCount, podRestarts, podStatusReason } from '../src/api/printers/podStatus.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (sec: number) => new Date(NOW - sec * 1000).toISOString();

type CS = Partial<ContainerStatus>;
const running = (name: string, ready = true, extra: CS = {}): ContainerStatus =>
  ({ name, ready, restartCount: 0, image: 'img', imageID: '', state: { running: { startedAt: ago(60) } }, ...extra }) as ContainerStatus;
const waiting = (name: string, reason: string, extra: CS = {}): ContainerStatus =>
  ({ name, ready: false, restartCount: 0, image: 'img', imageID: '', state: { waiting: { reason } }, ...extra }) as ContainerStatus;
const terminated = (name: string, exitCode: number, reason?: string, extra: CS = {}): ContainerStatus =>
  ({ name, ready: false, restartCount: 0, image: 'img', imageID: '', state: { terminated: { exitCode, reason } }, ...extra }) as ContainerStatus;

function pod(opts: {
  containers?: string[];
  init?: { name: string; sidecar?: boolean }[];
  statuses?: ContainerStatus[];
  initStatuses?: ContainerStatus[];
  phase?: string;
  conditions?: Record<string, string>;
  deleting?: boolean;
  reason?: string;
}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', ...(opts.deleting ? { deletionTimestamp: ago(-30) } : {}) },
    spec: {
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'img' })),
      initContainers: opts.init?.map((c) => ({ name: c.name, image: 'img', ...(c.sidecar ? { restartPolicy: 'Always' } : {}) })),
    },
    status: {
      phase: opts.phase ?? 'Running',
      reason: opts.reason,
      containerStatuses: opts.statuses,
      initContainerStatuses: opts.initStatuses,
      conditions: Object.entries(opts.conditions ?? {}).map(([type, status]) => ({ type, status })),
    },
  };
}

describe('STATUS column (printPod)', () => {
  it('Running when all containers run', () => {
    expect(podStatusReason(pod({ statuses: [running('app')], conditions: { Ready: 'True' } }))).toBe('Running');
  });
  it('phase when there are no statuses yet', () => {
    expect(podStatusReason(pod({ phase: 'Pending' }))).toBe('Pending');
  });
  it('status.reason overrides the phase', () => {
    expect(podStatusReason(pod({ phase: 'Failed', reason: 'Evicted' }))).toBe('Evicted');
  });
  it('Init:N/M while init containers run', () => {
    const p = pod({
      phase: 'Pending',
      init: [{ name: 'a' }, { name: 'b' }],
      initStatuses: [terminated('a', 0, 'Completed'), running('b', false)],
      statuses: [waiting('app', 'PodInitializing')],
    });
    expect(podStatusReason(p)).toBe('Init:1/2');
  });
  it('Init:0/M for an init container waiting on PodInitializing', () => {
    const p = pod({ phase: 'Pending', init: [{ name: 'a' }], initStatuses: [waiting('a', 'PodInitializing')] });
    expect(podStatusReason(p)).toBe('Init:0/1');
  });
  it('Init:Error for a failed init container', () => {
    const p = pod({ phase: 'Pending', init: [{ name: 'a' }, { name: 'b' }], initStatuses: [terminated('a', 1, 'Error'), waiting('b', 'PodInitializing')] });
    expect(podStatusReason(p)).toBe('Init:Error');
  });
  it('Init:CrashLoopBackOff', () => {
    const p = pod({ phase: 'Pending', init: [{ name: 'a' }], initStatuses: [waiting('a', 'CrashLoopBackOff')] });
    expect(podStatusReason(p)).toBe('Init:CrashLoopBackOff');
  });
  it('Init:Signal:N and Init:ExitCode:N without a reason', () => {
    const sig = pod({ phase: 'Pending', init: [{ name: 'a' }], initStatuses: [{ ...terminated('a', 137), state: { terminated: { exitCode: 137, signal: 9 } } }] });
    expect(podStatusReason(sig)).toBe('Init:Signal:9');
    const code = pod({ phase: 'Pending', init: [{ name: 'a' }], initStatuses: [terminated('a', 3)] });
    expect(podStatusReason(code)).toBe('Init:ExitCode:3');
  });
  it('a started sidecar counts as done and as a ready container', () => {
    const p = pod({
      init: [{ name: 'side', sidecar: true }, { name: 'setup' }],
      initStatuses: [running('side', true, { started: true }), running('setup', false)],
      phase: 'Pending',
    });
    expect(podStatusReason(p)).toBe('Init:1/2');
    expect(podReadyCount(p)).toBe('1/2');
  });
  it('PodInitializing once init containers are done', () => {
    const p = pod({ phase: 'Pending', init: [{ name: 'a' }], initStatuses: [terminated('a', 0, 'Completed')], statuses: [waiting('app', 'PodInitializing')] });
    expect(podStatusReason(p)).toBe('PodInitializing');
  });
  it('CrashLoopBackOff and ErrImagePull from a waiting container', () => {
    expect(podStatusReason(pod({ statuses: [waiting('app', 'CrashLoopBackOff')] }))).toBe('CrashLoopBackOff');
    expect(podStatusReason(pod({ phase: 'Pending', statuses: [waiting('app', 'ErrImagePull')] }))).toBe('ErrImagePull');
  });
  it('the first container wins (containers are scanned last to first)', () => {
    const p = pod({ containers: ['a', 'b'], statuses: [waiting('a', 'CreateContainerConfigError'), waiting('b', 'ErrImagePull')] });
    expect(podStatusReason(p)).toBe('CreateContainerConfigError');
  });
  it('Completed, Error, OOMKilled, Signal:N, ExitCode:N from terminated containers', () => {
    expect(podStatusReason(pod({ phase: 'Succeeded', statuses: [terminated('app', 0, 'Completed')] }))).toBe('Completed');
    expect(podStatusReason(pod({ phase: 'Failed', statuses: [terminated('app', 1, 'Error')] }))).toBe('Error');
    expect(podStatusReason(pod({ phase: 'Failed', statuses: [terminated('app', 137, 'OOMKilled')] }))).toBe('OOMKilled');
    const sig = pod({ phase: 'Failed', statuses: [{ ...terminated('app', 143), state: { terminated: { exitCode: 143, signal: 15 } } }] });
    expect(podStatusReason(sig)).toBe('Signal:15');
    expect(podStatusReason(pod({ phase: 'Failed', statuses: [terminated('app', 2)] }))).toBe('ExitCode:2');
  });
  it('Completed first container with a running sibling: Running when Ready, else NotReady', () => {
    const statuses = [terminated('a', 0, 'Completed'), running('b')];
    expect(podStatusReason(pod({ containers: ['a', 'b'], statuses, conditions: { Ready: 'True' } }))).toBe('Running');
    expect(podStatusReason(pod({ containers: ['a', 'b'], statuses, conditions: { Ready: 'False' } }))).toBe('NotReady');
  });
  it('Completed first container with a failed sibling shows the failure (1.35)', () => {
    const statuses = [terminated('a', 0, 'Completed'), terminated('b', 1, 'Error')];
    expect(podStatusReason(pod({ phase: 'Failed', containers: ['a', 'b'], statuses }))).toBe('Error');
  });
  it('Terminating whenever a deletion timestamp is set; Unknown for NodeLost', () => {
    expect(podStatusReason(pod({ statuses: [running('app')], deleting: true }))).toBe('Terminating');
    expect(podStatusReason(pod({ statuses: [waiting('app', 'CrashLoopBackOff')], deleting: true }))).toBe('Terminating');
    expect(podStatusReason(pod({ statuses: [running('app')], deleting: true, reason: 'NodeLost' }))).toBe('Unknown');
  });
  it('SchedulingGated from the PodScheduled condition reason', () => {
    const p = pod({ phase: 'Pending' });
    p.status!.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }];
    expect(podStatusReason(p)).toBe('SchedulingGated');
  });
});

describe('READY column', () => {
  it('counts ready running containers', () => {
    expect(podReadyCount(pod({ containers: ['a', 'b'], statuses: [running('a'), running('b', false)] }))).toBe('1/2');
  });
  it('counts sidecars in the total', () => {
    const p = pod({
      init: [{ name: 'side', sidecar: true }],
      initStatuses: [running('side', true, { started: true })],
      statuses: [running('app')],
      conditions: { Initialized: 'True' },
    });
    expect(podReadyCount(p)).toBe('2/2');
  });
});

describe('RESTARTS column', () => {
  it('plain count without a previous exit time', () => {
    expect(podRestarts(pod({ statuses: [running('app')] }), NOW)).toBe('0');
    expect(podRestarts(pod({ statuses: [running('app', true, { restartCount: 2 })] }), NOW)).toBe('2');
  });
  it('"N (Xs ago)" from the latest lastState.terminated.finishedAt', () => {
    const a = running('a', true, { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } });
    const b = waiting('b', 'CrashLoopBackOff', { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(42) } } });
    expect(podRestarts(pod({ containers: ['a', 'b'], statuses: [a, b] }), NOW)).toBe('3 (42s ago)');
  });
  it('init container restarts stop counting once the pod is initialized, sidecars keep counting', () => {
    const p = pod({
      init: [{ name: 'once' }, { name: 'side', sidecar: true }],
      initStatuses: [
        terminated('once', 0, 'Completed', { restartCount: 4 }),
        running('side', true, { started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(125) } } }),
      ],
      statuses: [running('app')],
      conditions: { Initialized: 'True' },
    });
    expect(podRestarts(p, NOW)).toBe('1 (2m5s ago)');
  });
  it('while initializing, init container restarts count', () => {
    const p = pod({
      phase: 'Pending',
      init: [{ name: 'a' }],
      initStatuses: [waiting('a', 'CrashLoopBackOff', { restartCount: 5, lastState: { terminated: { exitCode: 1, finishedAt: ago(10) } } })],
    });
    expect(podRestarts(p, NOW)).toBe('5 (10s ago)');
    expect(podStatusReason(p)).toBe('Init:CrashLoopBackOff');
  });
});

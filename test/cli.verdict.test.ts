// The verdict of `tinylet run` and `tinylet scenario run`: a pure function of the final pod and its
// events. It must name the real reason an app container never started, suggest a longer --for only
// for a start in progress, and give the usual fixes for a PID 1 that ignored SIGTERM.
import { describe, expect, it } from 'vitest';
import { judge } from '../src/cli/verdict.js';
import { PID1_HINT, SHARED_PID_HINT } from '../src/cli/stopSignalHint.js';
import { deleted, fixture, status, terminated } from './helpers/verdictFixtures.js';

const started = (f: ReturnType<typeof fixture>, ms: number, container: string, pid: number) =>
  f.at(ms, 'Started', `Started container ${container.replace(/^init:/, '')}`, { container }).at(ms, 'ProcessStarted', `Container is running as pid ${pid}`, { container });

describe('verdict: an app container that never started', () => {
  it('an init container crash-looping: Init:CrashLoopBackOff with its last exit', () => {
    const f = fixture({ containers: ['app'], initContainers: ['setup'] });
    started(f, 200, 'init:setup', 10).at(500, 'Exited', 'Container setup (pid 10) exited with code 3', { container: 'init:setup' });
    started(f, 550, 'init:setup', 11).at(600, 'Exited', 'Container setup (pid 11) exited with code 3', { container: 'init:setup' });
    f.at(610, 'BackOff', 'Back-off restarting failed container setup in pod p_default(uid)', { container: 'init:setup' });
    status(f, 'init:setup', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=setup pod=p_default(uid)' } }, lastState: terminated(3), restartCount: 1 });
    status(f, 'app', { state: { waiting: { reason: 'PodInitializing' } } });
    const v = judge(f.pod, deleted(f, 4000).events, true);
    expect(v.ok).toBe(false);
    expect(v.summary).toBe('FAIL: app never started (Init:CrashLoopBackOff: init container setup kept failing, last exit code 3)');
    expect(v.hints).toBeUndefined();
  });

  it('an image that cannot be pulled: ImagePullBackOff with the pull error from the events', () => {
    const f = fixture({ containers: ['app'] });
    const pull = 'Failed to pull image "example.com/team/api:1.0": image "team/api" is not in tinylet\'s image catalog (built-in: busybox, nginx, node, python)';
    f.at(200, 'Failed', pull, { container: 'app' }).at(200, 'Failed', 'Error: ErrImagePull', { container: 'app' });
    f.at(1200, 'BackOff', 'Back-off pulling image "example.com/team/api:1.0"', { container: 'app', type: 'Normal' }).at(1200, 'Failed', 'Error: ImagePullBackOff', { container: 'app' });
    status(f, 'app', { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "example.com/team/api:1.0"' } } });
    expect(judge(f.pod, deleted(f, 2000).events, true).summary).toBe(`FAIL: app never started (ImagePullBackOff: ${pull})`);
  });

  it('ErrImagePull in an init container', () => {
    const f = fixture({ containers: ['app'], initContainers: ['fetch'] });
    f.at(200, 'Failed', 'Failed to pull image "registry.example/fetch": not found', { container: 'init:fetch' }).at(200, 'Failed', 'Error: ErrImagePull', { container: 'init:fetch' });
    status(f, 'init:fetch', { state: { waiting: { reason: 'ErrImagePull', message: 'Failed to pull image "registry.example/fetch": not found' } } });
    status(f, 'app', { state: { waiting: { reason: 'PodInitializing' } } });
    expect(judge(f.pod, deleted(f, 900).events, true).summary).toBe('FAIL: app never started (Init:ErrImagePull: init container fetch: Failed to pull image "registry.example/fetch": not found)');
  });

  it('InvalidImageName with its message', () => {
    const f = fixture({ containers: ['app'] });
    const message = 'Failed to apply default image tag "$PRIVATE_IMAGE_NAME": couldn\'t parse image name "$PRIVATE_IMAGE_NAME": invalid reference format';
    f.at(200, 'InspectFailed', message, { container: 'app', type: 'Warning' }).at(200, 'Failed', 'Error: InvalidImageName', { container: 'app' });
    status(f, 'app', { state: { waiting: { reason: 'InvalidImageName', message } } });
    expect(judge(f.pod, deleted(f, 2000).events, true).summary).toBe(`FAIL: app never started (InvalidImageName: ${message})`);
  });

  it('CreateContainerConfigError (runAsNonRoot) with its message', () => {
    const f = fixture({ containers: ['app'] });
    const message = 'container has runAsNonRoot and image will run as root (pod: "p_default(uid)", container: app)';
    f.at(200, 'Failed', `Error: ${message}`, { container: 'app' });
    status(f, 'app', { state: { waiting: { reason: 'CreateContainerConfigError', message } } });
    expect(judge(f.pod, deleted(f, 2000).events, true).summary).toBe(`FAIL: app never started (CreateContainerConfigError: ${message})`);
  });

  it('a back-off after a container that could not be created: the error from the Failed event', () => {
    const f = fixture({ containers: ['app'] });
    const message = 'container has runAsNonRoot and image will run as root (pod: "p_default(uid)", container: app)';
    f.at(200, 'Failed', `Error: ${message}`, { container: 'app' }).at(210, 'Failed', `Error: ${message}`, { container: 'app' });
    status(f, 'app', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=p_default(uid)' } }, restartCount: 1 });
    expect(judge(f.pod, deleted(f, 2000).events, true).summary).toBe(`FAIL: app never started (CrashLoopBackOff: ${message})`);
  });

  it('an init container still running (waiting for DNS): it never completed, and no longer --for', () => {
    const f = fixture({ containers: ['myapp-container'], initContainers: ['init-myservice', 'init-mydb'] });
    started(f, 200, 'init:init-myservice', 10);
    deleted(f, 4200);
    f.at(4201, 'Signal', 'Sent SIGTERM to container init-myservice (pid 10); SIGKILL in 30s', { container: 'init:init-myservice' });
    f.at(34201, 'ExceededGracePeriod', 'Container init-myservice did not exit within 30s of SIGTERM; sent SIGKILL (pid 10)', { container: 'init:init-myservice' });
    f.at(34220, 'Exited', 'Container init-myservice (pid 10) killed by SIGKILL (exit code 137)', { container: 'init:init-myservice' });
    status(f, 'init:init-myservice', { state: terminated(137, { signal: 9 }) });
    status(f, 'init:init-mydb', { state: { waiting: { reason: 'PodInitializing' } } });
    status(f, 'myapp-container', { state: { waiting: { reason: 'PodInitializing' } } });
    const v = judge(f.pod, f.events, true);
    expect(v.summary).toBe('FAIL: myapp-container never started (init container init-myservice was still running after 4.0s: it never completed)');
    // It was also SIGKILLed: sh as PID 1 ignores SIGTERM.
    expect(v.hints).toEqual([PID1_HINT]);
  });

  it('a sidecar (restartPolicy: Always) that runs does not hold the app back', () => {
    const f = fixture({ containers: ['app'], initContainers: ['proxy'] });
    f.pod.spec!.initContainers![0]!.restartPolicy = 'Always';
    started(f, 200, 'init:proxy', 10);
    status(f, 'init:proxy', { state: { running: { startedAt: '2026-01-01T10:00:00Z' } } });
    status(f, 'app', { state: { waiting: { reason: 'ContainerCreating' } } });
    expect(judge(f.pod, deleted(f, 1500).events, true).summary).toBe('FAIL: app was not running when the pod was deleted (it was still in ContainerCreating after 1.5s: give it a longer --for)');
  });

  it('a short ContainerCreating: the one case for a longer --for', () => {
    const f = fixture({ containers: ['app'] });
    status(f, 'app', { state: { waiting: { reason: 'ContainerCreating' } } });
    expect(judge(f.pod, deleted(f, 1500).events, true).summary).toBe('FAIL: app was not running when the pod was deleted (it was still in ContainerCreating after 1.5s: give it a longer --for)');
  });

  it('PodInitializing for a short time, before the first init container started', () => {
    const f = fixture({ containers: ['app'], initContainers: ['setup'] });
    status(f, 'init:setup', { state: { waiting: { reason: 'PodInitializing' } } });
    status(f, 'app', { state: { waiting: { reason: 'PodInitializing' } } });
    expect(judge(f.pod, deleted(f, 800).events, true).summary).toBe('FAIL: app was not running when the pod was deleted (it was still in PodInitializing after 0.8s: give it a longer --for)');
  });

  it('a long ContainerCreating: no longer --for', () => {
    const f = fixture({ containers: ['app'] });
    status(f, 'app', { state: { waiting: { reason: 'ContainerCreating' } } });
    expect(judge(f.pod, deleted(f, 45_000).events, true).summary).toBe('FAIL: app never started (it was still in ContainerCreating after 45s)');
  });

  it('a sandbox that cannot be created: the pod\'s warning is the reason', () => {
    const f = fixture({ containers: ['app'] });
    f.at(150, 'FailedCreatePodSandBox', 'Failed to create pod sandbox: volume "s": unsupported volume source');
    status(f, 'app', { state: { waiting: { reason: 'ContainerCreating' } } });
    expect(judge(f.pod, deleted(f, 1000).events, true).summary).toBe(
      'FAIL: app never started (it was still in ContainerCreating after 1.0s: FailedCreatePodSandBox: Failed to create pod sandbox: volume "s": unsupported volume source)',
    );
  });

  it('names every app container held back, with the reason of the first', () => {
    const f = fixture({ containers: ['web', 'log'] });
    f.at(200, 'Failed', 'Failed to pull image "x": not found', { container: 'web' });
    status(f, 'web', { state: { waiting: { reason: 'ErrImagePull', message: 'Failed to pull image "x": not found' } } });
    status(f, 'log', { state: { waiting: { reason: 'ContainerCreating' } } });
    expect(judge(f.pod, deleted(f, 3000).events, true).summary).toBe('FAIL: web, log never started (ErrImagePull: Failed to pull image "x": not found)');
  });
});

describe('verdict: containers that ran', () => {
  it('a crash-looping app container: its reason and last exit code', () => {
    const f = fixture({ containers: ['app'], phase: 'Running' });
    started(f, 200, 'app', 10).at(210, 'Exited', 'Container app (pid 10) exited with code 2', { container: 'app' });
    status(f, 'app', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, lastState: terminated(2), restartCount: 1 });
    expect(judge(f.pod, deleted(f, 4000).events, true).summary).toBe('FAIL: app was not running when the pod was deleted (CrashLoopBackOff: app kept failing, last exit code 2)');
  });

  it('PID 1 ignoring SIGTERM: SIGKILLed at the deadline, with the usual fixes', () => {
    const f = fixture({ containers: ['s'], phase: 'Running' });
    started(f, 200, 's', 10);
    deleted(f, 4000, 1);
    f.at(4001, 'Signal', 'Sent SIGTERM to container s (pid 10); SIGKILL in 2s', { container: 's' });
    f.at(6001, 'ExceededGracePeriod', 'Container s did not exit within 2s of SIGTERM; sent SIGKILL (pid 10)', { container: 's' });
    f.at(6020, 'Exited', 'Container s (pid 10) killed by SIGKILL (exit code 137)', { container: 's' });
    status(f, 's', { state: terminated(137, { signal: 9 }) });
    const v = judge(f.pod, f.events, true);
    expect(v.summary).toBe('FAIL: s ignored the stop signal and had to be killed with SIGKILL (exit code 137)');
    expect(v.hints).toEqual([
      'PID 1 gets no default signal action: use the exec form (`exec` in the shell script / CMD ["node", "server.js"]), handle SIGTERM (`trap \'exit 0\' TERM` in sh), or run an init such as tini/dumb-init (`shareProcessNamespace: true` also makes the pause process PID 1)',
    ]);
    expect(v.containers[0]).toMatchObject({ name: 's', exitCode: 137, killedBySigkill: true, exitedAfterStopMs: 2019 });
    // With a shared PID namespace the container's process is not PID 1: the other hint.
    f.pod.spec!.shareProcessNamespace = true;
    expect(judge(f.pod, f.events, true).hints).toEqual([SHARED_PID_HINT]);
  });

  it('a graceful stop passes, with no hints', () => {
    const f = fixture({ containers: ['app'], phase: 'Running' });
    started(f, 200, 'app', 10);
    deleted(f, 2000);
    f.at(2001, 'Signal', 'Sent SIGTERM to container app (pid 10); SIGKILL in 30s', { container: 'app' }).at(2030, 'Exited', 'Container app (pid 10) exited with code 0', { container: 'app' });
    status(f, 'app', { state: terminated(0) });
    const v = judge(f.pod, f.events, true);
    expect(v).toMatchObject({ ok: true, summary: 'PASS: every container stopped within its grace period' });
    expect(v.hints).toBeUndefined();
  });

  it('a preStop that runs out the grace period fails, though the app then exits 0 in the 2-second extension', () => {
    const f = fixture({ containers: ['app'], phase: 'Running' });
    started(f, 200, 'app', 10);
    deleted(f, 1000, 2);
    f.at(1003, 'PreStopHook', 'Running preStop hook of container app (grace period 2s)', { container: 'app' });
    f.at(3003, 'FailedPreStopHook', 'PreStopHook of container app did not finish within the grace period of 2s', { container: 'app', type: 'Warning' });
    f.at(3004, 'Signal', 'Sent SIGTERM to container app (pid 10); SIGKILL in 2s', { container: 'app' }).at(3080, 'Exited', 'Container app (pid 10) exited with code 0', { container: 'app' });
    status(f, 'app', { state: terminated(0) });
    const v = judge(f.pod, f.events, true);
    expect(v.ok).toBe(false);
    expect(v.summary).toBe('FAIL: the preStop hook of app did not finish within the grace period, so the stop signal came only in the 2-second extension');
    expect(v.hints).toEqual(['shorten the preStop hook (a preStop sleep should leave the app time to drain) or raise terminationGracePeriodSeconds above its length']);
    // A preStop whose command failed is only a warning: termination goes on and the app stopped in time.
    f.events.find((e) => e.reason === 'FailedPreStopHook')!.message = 'PreStopHook failed: command exited with code 1';
    expect(judge(f.pod, f.events, true)).toMatchObject({ ok: true, summary: 'PASS: every container stopped within its grace period' });
  });

  it('a pod that ended by itself in Failed names the container that failed', () => {
    const f = fixture({ containers: ['app'], phase: 'Failed' });
    started(f, 200, 'app', 10).at(300, 'Exited', 'Container app (pid 10) exited with code 2', { container: 'app' });
    status(f, 'app', { state: terminated(2) });
    expect(judge(f.pod, f.events, false).summary).toBe('FAIL: the pod ended in phase Failed (app exited with code 2)');
    f.pod.status!.reason = 'DeadlineExceeded';
    f.pod.status!.message = 'Pod was active on the node longer than the specified deadline';
    expect(judge(f.pod, f.events, false).summary).toBe('FAIL: the pod ended in phase Failed (DeadlineExceeded: Pod was active on the node longer than the specified deadline)');
  });

  it('an aggregated event counts at its last occurrence (series.lastObservedTime), not its first', () => {
    // The init container's "Started" repeats under one event: announced again after the delete, it
    // must not make the container look running when the delete came.
    const f = fixture({ containers: ['app'], initContainers: ['setup'] });
    started(f, 200, 'init:setup', 10).at(300, 'Exited', 'Container setup (pid 10) exited with code 1', { container: 'init:setup' });
    deleted(f, 3000);
    const again = { ...f.events.find((e) => e.reason === 'Started')!, count: 2, series: { count: 2, lastObservedTime: '2026-01-01T10:00:03.500000Z' } };
    f.events.push(again);
    status(f, 'init:setup', { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, lastState: terminated(1), restartCount: 1 });
    status(f, 'app', { state: { waiting: { reason: 'PodInitializing' } } });
    expect(judge(f.pod, f.events, true).summary).toBe('FAIL: app never started (Init:CrashLoopBackOff: init container setup kept failing, last exit code 1)');
  });
});

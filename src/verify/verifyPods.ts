// `tinylet verify` on top of `tinylet run`'s embedded agent (runPods): start the pods, wait until
// they are Ready (plus --ready-after), optionally start HTTP load, delete them gracefully, and judge
// each container's stop, with a diagnosis read at the moment the stop signal was sent.
import type { Event, Pod } from '../api/types.js';
import type { AgentConfig } from '../kubelet/config.js';
import type { ContainerRecord } from '../kubelet/containerRecord.js';
import { eventTime } from '../kubelet/events.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import { stopSignalOf } from '../kubelet/termination.js';
import { signalNumber } from '../runtime/signals.js';
import { runPods, type RunControl } from '../cli/runPods.js';
import { diagnose, preStopMs } from './diagnosis.js';
import type { EndpointRemoval, LoadReport } from './load.js';
import { endpointRemovalAt } from './shutdownTiming.js';
import { writeRunTimeline } from '../timeline/writeTimeline.js';
import { VERIFY_API_VERSION, type ContainerCheck, type PodReport, type VerifyReport } from './report.js';
import { takeStopSnapshot, type StopSnapshot } from './snapshot.js';

/** Load driven during the delete: started once the pods are Ready, stopped once they are gone. */
export interface LoadDriver {
  start(run: RunControl): void;
  /** The Service the load goes through (service/NAME targets): failures while it still listed the pod fail. */
  service?: string;
  /** `stopSignalAt`: epoch ms of the first stop signal; `endpoint`: when the pod left the Service (failures are timed against both). */
  finish(stopSignalAt: number | undefined, endpoint?: EndpointRemoval): Promise<LoadReport>;
}

export interface VerifyOptions {
  config: AgentConfig;
  objects?: Record<string, any>[];
  gracePeriodSeconds?: number;
  /** Extra wait after Ready before the delete (default 0 with a readinessProbe, 1 s without). */
  readyAfterMs?: number;
  /** How long to wait for Ready before deleting anyway (and failing). */
  readyTimeoutMs: number;
  /** How long load runs before the delete. */
  loadLeadMs?: number;
  load?: LoadDriver;
  print?: (line: string) => void;
  /** Write the pods' timeline (the kubelet's record: probes, hooks, endpoints) to this .svg/.html file. */
  timeline?: string;
}

const at = (e: Event) => eventTime(e).getTime();
const containerOf = (e: Event) => /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const hasReadinessProbe = (p: Pod) => (p.spec?.containers ?? []).some((c) => c.readinessProbe);

/** The containers that must stop well: the app containers and the sidecars (restartable init containers). */
function checkedContainers(pod: Pod): string[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name);
  return [...sidecars, ...(pod.spec?.containers ?? []).map((c) => c.name)];
}

function runningAtDelete(name: string, events: Event[], deleteAt: number): boolean {
  const before = events.filter((e) => containerOf(e) === name && at(e) < deleteAt && (e.reason === 'Started' || e.reason === 'Exited'));
  return before[before.length - 1]?.reason === 'Started';
}

export async function verifyPods(pods: Pod[], opts: VerifyOptions): Promise<VerifyReport> {
  const snapshots = new Map<string, StopSnapshot>();
  const signalNames = new Map<string, string>();
  let firstStopSignalAt: number | undefined;
  const readyAfter = new Map<string, number>();
  let notReady: string[] = [];
  let control: RunControl | undefined;
  let timer: NodeJS.Timeout | undefined;
  // waiting for Ready -> settling (--ready-after) -> stopping (load started, delete on its way).
  let phase: 'waiting' | 'settling' | 'stopping' = 'waiting';
  let loadStarted = false;
  const createdAt = Date.now();

  const deleteNow = () => {
    clearTimeout(timer);
    control?.deleteAll(false);
  };
  const beginStop = (leadMs: number) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    clearTimeout(timer);
    if (control) opts.load?.start(control);
    loadStarted = opts.load !== undefined;
    timer = setTimeout(deleteNow, opts.load ? leadMs : 0);
  };
  const onPod = () => {
    if (phase !== 'waiting' || !control) return;
    const ws = control.workers;
    if (!ws.every((w) => isReady(w.pod))) return;
    for (const w of ws) readyAfter.set(w.pod.metadata!.uid!, Date.now() - createdAt);
    phase = 'settling';
    clearTimeout(timer);
    const extra = opts.readyAfterMs ?? (ws.every((w) => hasReadinessProbe(w.pod)) ? 0 : 1000);
    timer = setTimeout(() => beginStop(opts.loadLeadMs ?? 1000), extra);
  };
  const result = await runPods(pods, {
    config: opts.config,
    objects: opts.objects,
    gracePeriodSeconds: opts.gracePeriodSeconds,
    print: opts.print,
    control: (run) => {
      control = run;
      run.kubelet.on('beforeStopSignal', (w: PodWorker, r: ContainerRecord, pid: number) => {
        const name = stopSignalOf(r, r.imageStopSignal);
        const key = `${w.pod.metadata!.uid}/${r.name}`;
        firstStopSignalAt ??= Date.now();
        signalNames.set(key, name);
        snapshots.set(key, takeStopSnapshot(pid, signalNumber(name) ?? 15));
      });
      run.kubelet.on('pod', onPod);
      timer = setTimeout(() => {
        notReady = run.workers.filter((w) => !isReady(w.pod)).map((w) => w.pod.metadata!.name!);
        beginStop(0);
      }, opts.readyTimeoutMs);
      onPod();
    },
  });
  clearTimeout(timer);
  // Failures are timed against the loaded Service's endpoint removal; for a pod or URL target,
  // against the pod's first Service, reported but not judged (the load did not go through it).
  const service = opts.load?.service ?? result.timelines?.find((r) => r?.services?.length)?.services?.[0];
  const endpoint = service ? { service, removedAt: endpointRemovalAt(result.timelines ?? [], service), judged: opts.load?.service !== undefined } : undefined;
  const load = opts.load && loadStarted ? await opts.load.finish(firstStopSignalAt, endpoint) : null;
  if (opts.timeline) writeRunTimeline(opts.timeline, result);

  const reports = result.pods.map((pod, i): PodReport => {
    const uid = pod.metadata!.uid!;
    const verdict = result.verdicts[i]!;
    const events = result.events.filter((e) => e.involvedObject.uid === uid);
    const deleteEvent = events.find((e) => e.reason === 'DeleteRequested');
    // A pod that ended by itself was never deleted: nothing of it was running "at the delete".
    const deleteAt = deleteEvent ? at(deleteEvent) : Infinity;
    const grace = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const containers = checkedContainers(pod).map((name): ContainerCheck => {
      const v = verdict.containers.find((c) => c.name === name);
      const mine = events.filter((e) => containerOf(e) === name && at(e) >= deleteAt);
      const key = `${uid}/${name}`;
      const snapshot = snapshots.get(key);
      const running = runningAtDelete(name, events, deleteAt);
      const killed = v?.killedBySigkill ?? false;
      const diagnosis = diagnose({
        name,
        killedBySigkill: killed,
        signalName: signalNames.get(key) ?? 'SIGTERM',
        gracePeriodSeconds: grace,
        sharedPidNamespace: pod.spec?.shareProcessNamespace === true,
        snapshot,
        events: mine,
      });
      const outcome = !running ? 'notRunning' : killed ? 'killed' : 'exited';
      return {
        container: name,
        ok: outcome === 'exited',
        outcome,
        exitCode: v?.exitCode ?? null,
        stopToExitMs: v?.exitedAfterStopMs ?? null,
        preStopMs: preStopMs(mine) ?? null,
        diagnosis,
        snapshot: snapshot ?? null,
      };
    });
    const name = pod.metadata!.name!;
    // The run keeps a finished pod until the delete, so "ended first" is a sandbox gone before it.
    const endedFirst = !deleteEvent || events.some((e) => e.reason === 'SandboxRemoved' && at(e) < deleteAt);
    const summary = endedFirst
      ? `FAIL: the pod ended by itself (phase ${pod.status?.phase}) before it could be deleted: verify needs an app that runs until stopped`
      : notReady.includes(name)
        ? `FAIL: the pod did not become Ready within ${opts.readyTimeoutMs / 1000}s; deleted anyway`
        : verdict.summary;
    return {
      namespace: pod.metadata!.namespace!,
      name,
      ok: verdict.ok && !endedFirst && !notReady.includes(name) && containers.every((c) => c.ok),
      gracePeriodSeconds: grace,
      summary,
      readyAfterMs: readyAfter.get(uid) ?? null,
      containers,
      // The diagnosis replaces the generic PID 1 hint when it found the cause.
      hints: containers.some((c) => c.diagnosis.length) ? [] : (verdict.hints ?? []),
    };
  });
  return { apiVersion: VERIFY_API_VERSION, ok: reports.every((p) => p.ok) && (load?.ok ?? true), pods: reports, load };
}

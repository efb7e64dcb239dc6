import type { Probe } from '../../api/types.js';
import type { ContainerProbes, ProbeCallbacks, ProbeKind, ProbeResult, ProbeTarget } from './types.js';
import { newProber } from './prober.js';
import { probeSettings } from './settings.js';
import { ProbeWorker } from './worker.js';
import { recordedProbe } from '../timeline/sink.js';

/**
 * manager.go for one container instance: one worker per probe the container defines. Liveness and
 * readiness wait for the startup probe (or start at once without one); results reach the pod worker
 * through the callbacks, which alone decide what happens to the container.
 */
export function startContainerProbes(target: ProbeTarget, cb: ProbeCallbacks): ContainerProbes {
  const { startupProbe, livenessProbe, readinessProbe } = target.container;
  const workers = new Map<ProbeKind, ProbeWorker>();
  let stopped = false;
  let deleting = false;

  const run = (kind: ProbeKind, probe: Probe, onChange: (result: ProbeResult) => void) => {
    const settings = probeSettings(kind, probe);
    const record: ProbeCallbacks['recordEvent'] = (type, reason, message) => {
      if (!worker.stopped) cb.recordEvent(type, reason, message);
    };
    const prober = recordedProbe(kind, newProber(kind, probe, target, settings.timeoutSeconds * 1000, record), target.timeline);
    const worker = new ProbeWorker({ kind, settings, startedAt: target.startedAt, probe: prober, onChange });
    workers.set(kind, worker);
    worker.start();
  };

  const started = () => {
    if (stopped) return;
    cb.onStarted();
    if (stopped) return;
    if (livenessProbe && !deleting) {
      run('liveness', livenessProbe, (r) => r === 'failure' && cb.onFailure('liveness', livenessProbe.terminationGracePeriodSeconds));
    }
    if (readinessProbe) run('readiness', readinessProbe, (r) => cb.onReadinessChanged(r === 'success'));
  };

  if (startupProbe) {
    run('startup', startupProbe, (r) => {
      if (r === 'success') started();
      else if (r === 'failure') cb.onFailure('startup', startupProbe.terminationGracePeriodSeconds);
    });
  } else {
    process.nextTick(started);
  }

  const stopKinds = (kinds: ProbeKind[]) => kinds.forEach((kind) => workers.get(kind)?.stop());
  return {
    stopLivenessAndStartup() {
      deleting = true;
      stopKinds(['startup', 'liveness']);
    },
    stop() {
      stopped = true;
      stopKinds(['startup', 'liveness', 'readiness']);
    },
  };
}

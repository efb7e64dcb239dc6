import type { Probe } from '../../api/types.js';
import type { ProbeCallbacks, ProbeKind, ProbeResult, ProbeTarget } from './types.js';
import { newRunner, type ProbeOutcome, type Runner } from './runner.js';

/** A probe that could not run is tried again at once, up to this many times in all. */
const maxProbeRetries = 3;

const kindNames: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/**
 * prober.go: runs the handler once (retrying only probes that errored), records the kubelet's
 * `Unhealthy` / `ProbeWarning` events, and answers success, failure, or unknown (errored: the worker
 * throws that result away).
 */
export async function runProbe(kind: ProbeKind, runner: Runner, record: ProbeCallbacks['recordEvent']): Promise<ProbeResult> {
  let outcome: ProbeOutcome = await runner();
  for (let i = 1; i < maxProbeRetries && outcome.result === 'unknown'; i++) outcome = await runner();
  const name = kindNames[kind];
  switch (outcome.result) {
    case 'unknown':
      record('Warning', 'Unhealthy', `${name} probe errored: ${outcome.output}`);
      break;
    case 'failure':
      record('Warning', 'Unhealthy', `${name} probe failed: ${outcome.output}`);
      break;
    case 'success':
      if (outcome.warning) record('Warning', 'ProbeWarning', `${name} probe warning: ${outcome.output}`);
  }
  return outcome.result;
}

/** The probing function a worker calls each period: this probe's runner, built once. */
export function newProber(kind: ProbeKind, probe: Probe, target: ProbeTarget, timeoutMs: number, record: ProbeCallbacks['recordEvent']): () => Promise<ProbeResult> {
  const runner = newRunner(probe, target, timeoutMs);
  return () => runProbe(kind, runner, record);
}

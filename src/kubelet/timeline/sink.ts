import type { ProbeKind, ProbeResult } from '../prober/types.js';

/**
 * What the probers, hooks and the kill write into one container's part of its pod's timeline. Each
 * call is a cheap append that never throws (a record must not disturb what it records).
 */
export interface ContainerTimelineSink {
  probe(kind: ProbeKind, result: ProbeResult, durationMs: number): void;
  hook(name: 'postStart' | 'preStop', phase: 'start' | 'end', ok?: boolean): void;
  /** Right after the stop signal: SIGKILL is due in `inSeconds` (raised to the 2 s minimum when `extended`). */
  deadline(inSeconds: number, extended: boolean): void;
}

/**
 * A prober that also writes each attempt's result and duration to the sink (an errored attempt,
 * `unknown`, is thrown away by the worker and not drawn either).
 */
export function recordedProbe(kind: ProbeKind, prober: () => Promise<ProbeResult>, sink: ContainerTimelineSink | undefined): () => Promise<ProbeResult> {
  if (!sink) return prober;
  return async () => {
    const started = performance.now();
    const result = await prober();
    sink.probe(kind, result, performance.now() - started);
    return result;
  };
}

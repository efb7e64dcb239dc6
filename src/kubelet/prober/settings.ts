import type { Probe } from '../../api/types.js';
import type { ProbeKind } from './types.js';

/** A probe's timing and thresholds with the API defaults filled in (SEMANTICS §4). */
export interface ProbeSettings {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeSettings(kind: ProbeKind, probe: Probe): ProbeSettings {
  return {
    initialDelaySeconds: Math.max(0, probe.initialDelaySeconds ?? 0),
    periodSeconds: Math.max(1, probe.periodSeconds ?? 10),
    timeoutSeconds: Math.max(1, probe.timeoutSeconds ?? 1),
    // Validation demands 1 for liveness and startup; a readiness probe may ask for more.
    successThreshold: kind === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

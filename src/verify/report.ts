// The result of `tinylet verify`: one document, printed as text, as JSON (-o json, schema in
// docs/verify.schema.json) and as JUnit XML (junit.ts). The JSON shape is a public contract:
// add fields, never rename or remove them without bumping apiVersion.
import type { Diagnosis } from './diagnosis.js';
import type { LoadReport } from './load.js';
import { showArgv } from './diagnosis.js';
import type { StopSnapshot } from './snapshot.js';

export const VERIFY_API_VERSION = 'tinylet.dev/verify/v1';

export interface ContainerCheck {
  container: string;
  ok: boolean;
  /** exited: stopped by itself after the stop signal; killed: SIGKILLed at the deadline; notRunning: was not running at the delete. */
  outcome: 'exited' | 'killed' | 'notRunning';
  exitCode: number | null;
  /** Milliseconds from the stop signal to the exit (null when it was not signalled, e.g. exited during preStop). */
  stopToExitMs: number | null;
  /** Milliseconds the preStop hook ran (null without one). */
  preStopMs: number | null;
  diagnosis: Diagnosis[];
  snapshot: StopSnapshot | null;
}

export interface PodReport {
  namespace: string;
  name: string;
  ok: boolean;
  gracePeriodSeconds: number;
  /** The run's one-line verdict (the same as `tinylet run` prints). */
  summary: string;
  /** Milliseconds from the pod's creation to the delete (Ready plus --ready-after). */
  readyAfterMs: number | null;
  containers: ContainerCheck[];
  hints: string[];
}

export interface VerifyReport {
  apiVersion: typeof VERIFY_API_VERSION;
  ok: boolean;
  pods: PodReport[];
  /** Present with --load. */
  load: LoadReport | null;
}

function describeCheck(c: ContainerCheck): string[] {
  const head =
    c.outcome === 'killed'
      ? `killed by SIGKILL at the grace deadline${c.stopToExitMs !== null ? ` (${c.stopToExitMs} ms after the stop signal)` : ''}`
      : c.outcome === 'exited'
        ? `exited with code ${c.exitCode}${c.stopToExitMs !== null ? `, ${c.stopToExitMs} ms after the stop signal` : ''}`
        : 'was not running when the pod was deleted';
  const lines = [`  ${c.ok ? 'PASS' : 'FAIL'} ${c.container}: ${head}${c.preStopMs !== null ? ` (preStop ${c.preStopMs} ms)` : ''}`];
  const main = c.snapshot?.processes[0];
  if (main && !c.ok) lines.push(`    at the stop signal: pid ${main.pid} \`${showArgv(main.argv)}\`, ${c.snapshot!.processes.length - 1} descendant(s)`);
  for (const d of c.diagnosis) lines.push(`    diagnosis: ${d.message}`, `    fix: ${d.fix}`);
  return lines;
}

export function formatReport(r: VerifyReport): string {
  const lines: string[] = [];
  for (const p of r.pods) {
    lines.push(`pod/${p.name}: ${p.ok ? 'PASS' : 'FAIL'} (grace period ${p.gracePeriodSeconds}s) ${p.summary.replace(/^(PASS|FAIL): /, '')}`);
    for (const c of p.containers) lines.push(...describeCheck(c));
    for (const h of p.hints) lines.push(`  hint: ${h}`);
  }
  if (r.load) {
    const l = r.load;
    lines.push(
      `load ${l.target}: ${l.ok ? 'PASS' : 'FAIL'}: ${l.started} started, ${l.completed} completed, ${l.failed} failed (${l.reset} reset, ${l.droppedInFlight} in flight at the stop signal), ${l.afterStopSignal} sent after the stop signal`,
    );
    const signed = (ms: number | null) => (ms === null ? '?' : `${ms >= 0 ? '+' : ''}${ms}`);
    for (const f of l.failures.slice(0, 5)) {
      const vsEndpoint = f.msFromEndpointRemoval === null ? '' : `, ${signed(f.msFromEndpointRemoval)} ms from the endpoint removal`;
      // In flight at the signal: sent before it, failed after it (one that failed before it was not).
      const inFlight = f.startedBeforeStopSignal && (f.msFromStopSignal ?? 0) >= 0;
      lines.push(`    ${f.error}${inFlight ? ' (in flight at the signal)' : ''} at ${signed(f.msFromStopSignal)} ms from the stop signal${vsEndpoint}`);
    }
    if (l.message) lines.push(`    ${l.message}`);
    if (l.timing) {
      lines.push(`    vs service/${l.timing.service}'s endpoints: ${l.timing.message}`);
      if (l.timing.fix) lines.push(`    fix: ${l.timing.fix}`);
    }
  }
  lines.push(r.ok ? 'PASS' : 'FAIL');
  return lines.join('\n');
}

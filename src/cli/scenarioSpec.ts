import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Event, Pod } from '../api/types.js';
import { packageRoot } from '../runtime/paths.js';
import type { RunResult } from './runPods.js';

/** A workshop lab: `scenarios/NAME/` holds pod.yaml, README.md and this expected outcome (scenario.yaml). */
export interface ScenarioSpec {
  title: string;
  run?: { for?: string; gracePeriod?: number; force?: boolean };
  /** Agent config overrides, e.g. a shrunk crashLoopBackOff so a lab fits in seconds. */
  agent?: Record<string, unknown>;
  expect: {
    verdict?: 'PASS' | 'FAIL';
    phase?: string;
    containers?: Record<string, { exitCode?: number; reason?: string; restartCount?: number; minRestartCount?: number }>;
    /** Event reasons that must appear in this order (others may come between). */
    timeline?: string[];
  };
}

export const scenariosDir = join(packageRoot, 'scenarios');

export function listScenarios(): { name: string; title: string }[] {
  return readdirSync(scenariosDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(scenariosDir, d.name, 'scenario.yaml')))
    .map((d) => ({ name: d.name, title: loadScenario(d.name).title }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function loadScenario(name: string): ScenarioSpec {
  const path = join(scenariosDir, name, 'scenario.yaml');
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new Error(`no scenario "${name}" (tinylet scenario list shows them)`);
  }
  return parse(readFileSync(path, 'utf8')) as ScenarioSpec;
}

export interface Check {
  ok: boolean;
  what: string;
}

/** Compares a run with what the scenario expects; one line per expectation. */
export function checkScenario(spec: ScenarioSpec, result: RunResult): Check[] {
  const checks: Check[] = [];
  const pod = result.pods[0];
  const e = spec.expect;
  if (e.verdict) {
    const got = result.verdicts.every((v) => v.ok) ? 'PASS' : 'FAIL';
    checks.push({ ok: got === e.verdict, what: `verdict ${e.verdict}${got === e.verdict ? '' : ` (got ${got})`}` });
  }
  if (e.phase) checks.push({ ok: pod.status?.phase === e.phase, what: `phase ${e.phase}${pod.status?.phase === e.phase ? '' : ` (got ${pod.status?.phase})`}` });
  // A container is looked up in every pod of the lab (a lab may hold a client pod beside its app).
  for (const [name, want] of Object.entries(e.containers ?? {})) checks.push(...checkContainer(result.pods.find((p) => hasContainer(p, name)) ?? pod, name, want));
  if (e.timeline) checks.push(checkTimeline(result.events, e.timeline));
  return checks;
}

const hasContainer = (pod: Pod, name: string) => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.name === name);

function checkContainer(pod: Pod, name: string, want: NonNullable<ScenarioSpec['expect']['containers']>[string]): Check[] {
  const s = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((c) => c.name === name);
  if (!s) return [{ ok: false, what: `container ${name} exists` }];
  const t = s.state?.terminated ?? s.lastState?.terminated;
  const out: Check[] = [];
  const same = (label: string, expected: unknown, got: unknown) =>
    out.push({ ok: expected === got, what: `${name}: ${label} ${expected}${expected === got ? '' : ` (got ${got ?? 'none'})`}` });
  if (want.exitCode !== undefined) same('exit code', want.exitCode, t?.exitCode);
  if (want.reason !== undefined) same('reason', want.reason, t?.reason ?? s.state?.waiting?.reason);
  if (want.restartCount !== undefined) same('restarts', want.restartCount, s.restartCount);
  if (want.minRestartCount !== undefined) {
    const ok = (s.restartCount ?? 0) >= want.minRestartCount;
    out.push({ ok, what: `${name}: at least ${want.minRestartCount} restarts${ok ? '' : ` (got ${s.restartCount})`}` });
  }
  return out;
}

function checkTimeline(events: Event[], reasons: string[]): Check {
  let i = 0;
  for (const e of events) if (i < reasons.length && e.reason === reasons[i]) i++;
  const ok = i === reasons.length;
  return { ok, what: `timeline ${reasons.join(' -> ')}${ok ? '' : ` (stopped before ${reasons[i]})`}` };
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Event, Pod } from '../api/types.js';
import { packageRoot } from '../runtime/paths.js';
import type { RunResult } from './runPods.js';
import { byCodeUnit } from '../api/stringOrder.js';

/** A workshop lab: `scenarios/NAME/` holds pod.yaml, README.md and this expected outcome (scenario.yaml). */
export interface ScenarioSpec {
  title: string;
  /** Labels for `scenario run --all`: a lab tagged `long` is left out unless `--include long`. */
  tags?: string[];
  run?: {
    /** Delete the pods this long after the start, or after the `after` line. */
    for?: string;
    /**
     * A substring of the printed timeline (e.g. a container's "ready" log line): `for` counts from the
     * first line holding it, so a lab keeps its shape on a slow machine where containers start late.
     */
    after?: string;
    /** With `after`: delete anyway this long after the start if the line never comes (default 60s). */
    timeout?: string;
    gracePeriod?: number;
    force?: boolean;
  };
  /** Agent config overrides, e.g. a shrunk crashLoopBackOff so a lab fits in seconds. */
  agent?: Record<string, unknown>;
  expect: {
    verdict?: 'PASS' | 'FAIL';
    phase?: string;
    containers?: Record<string, { exitCode?: number; reason?: string; restartCount?: number; minRestartCount?: number }>;
    /** Event reasons that must appear in this order (others may come between). */
    timeline?: string[];
    /** Per container, substrings that must appear in its log lines (stdout or stderr), in this order. */
    logs?: Record<string, string[]>;
    /** Substrings of the printed timeline (events, status and log lines) that must appear in this order. */
    output?: string[];
    /** Substrings that must appear nowhere in the printed timeline. */
    notInOutput?: string[];
    /** Per container, substrings that must never appear in its log lines. */
    notInLogs?: Record<string, string[]>;
    /** How often an event reason occurs over the whole run (all pods): at least min, at most max. */
    events?: { reason: string; min?: number; max?: number }[];
  };
}

export const scenariosDir = join(packageRoot, 'scenarios');

export function listScenarios(): { name: string; title: string; tags: string[] }[] {
  return readdirSync(scenariosDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(scenariosDir, d.name, 'scenario.yaml')))
    .map((d) => {
      const spec = loadScenario(d.name);
      return { name: d.name, title: spec.title, tags: spec.tags ?? [] };
    })
    .sort((a, b) => byCodeUnit(a.name, b.name));
}

export function loadScenario(name: string): ScenarioSpec {
  const path = join(scenariosDir, name, 'scenario.yaml');
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new Error(`no scenario "${name}" (tinylet scenario list shows them)`);
  }
  const spec = parse(readFileSync(path, 'utf8')) as ScenarioSpec;
  if (typeof spec?.title !== 'string') throw new Error(`scenarios/${name}/scenario.yaml: title must be a string`);
  if (spec.tags !== undefined && (!Array.isArray(spec.tags) || !spec.tags.every((t) => typeof t === 'string'))) {
    throw new Error(`scenarios/${name}/scenario.yaml: tags must be a list of strings`);
  }
  return spec;
}

/** Labs left out of `scenario run --all` unless asked for with `--include TAG`. */
export const excludedByDefault = ['long'];

/**
 * The labs `scenario run --all` runs: with tags, those carrying at least one of them; otherwise every
 * lab whose tags are not excluded by default (`long`) unless `include` names them.
 */
export function selectScenarios(opts: { tags?: string[]; include?: string[] }): string[] {
  const all = listScenarios();
  if (opts.tags?.length) return all.filter((s) => s.tags.some((t) => opts.tags!.includes(t))).map((s) => s.name);
  const excluded = excludedByDefault.filter((t) => !(opts.include ?? []).includes(t));
  return all.filter((s) => !s.tags.some((t) => excluded.includes(t))).map((s) => s.name);
}

export interface Check {
  ok: boolean;
  what: string;
}

/** Compares a run with what the scenario expects; one line per expectation. */
export function checkScenario(spec: ScenarioSpec, result: RunResult, printed: string[] = []): Check[] {
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
  const logs = logLines(printed);
  for (const [name, want] of Object.entries(e.logs ?? {})) checks.push(checkLogs(name, logs.get(name) ?? [], want));
  for (const [name, banned] of Object.entries(e.notInLogs ?? {})) {
    for (const b of banned) {
      const hit = (logs.get(name) ?? []).find((l) => l.includes(b));
      checks.push({ ok: !hit, what: `${name}: no log line with "${b}"${hit ? ` (got "${hit}")` : ''}` });
    }
  }
  for (const want of e.events ?? []) checks.push(checkEventCount(result.events, want));
  if (e.output) {
    const c = checkLogs('output', printed, e.output);
    checks.push({ ok: c.ok, what: c.what.replace(/^output: logs /, 'output ') });
  }
  for (const b of e.notInOutput ?? []) {
    const hit = printed.find((l) => l.includes(b));
    checks.push({ ok: !hit, what: `output has no "${b}"${hit ? ` (got "${hit.trim()}")` : ''}` });
  }
  return checks;
}

/** The container log lines of a run's printed output (`+ 1.2s   NAME   stdout | TEXT`), by container. */
function logLines(printed: string[]): Map<string, string[]> {
  const byContainer = new Map<string, string[]>();
  for (const line of printed) {
    const m = /^\+\s+\S+s\s+!?\s*(\S+)\s+(?:stdout|stderr) \| (.*)$/.exec(line);
    if (m) byContainer.set(m[1]!, [...(byContainer.get(m[1]!) ?? []), m[2]!]);
  }
  return byContainer;
}

function checkLogs(name: string, lines: string[], want: string[]): Check {
  let i = 0;
  for (const l of lines) if (i < want.length && l.includes(want[i]!)) i++;
  const ok = i === want.length;
  return { ok, what: `${name}: logs ${want.map((w) => `"${w}"`).join(' then ')}${ok ? '' : ` (no line with "${want[i]}" after the previous ones)`}` };
}

function checkEventCount(events: Event[], want: { reason: string; min?: number; max?: number }): Check {
  const n = events.filter((e) => e.reason === want.reason).length;
  const ok = n >= (want.min ?? 0) && n <= (want.max ?? Infinity);
  const range = want.max === undefined ? `at least ${want.min ?? 0}` : (want.min ?? 0) === want.max ? `exactly ${want.max}` : `${want.min ?? 0} to ${want.max}`;
  return { ok, what: `${range} ${want.reason} event(s)${ok ? '' : ` (got ${n})`}` };
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

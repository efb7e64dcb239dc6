import { join } from 'node:path';
import { applyRaw, loadConfig } from '../kubelet/config.js';
import { parseDuration } from '../kubelet/duration.js';
import { loadPods } from './loadPods.js';
import { runPods } from './runPods.js';
import { checkScenario, listScenarios, loadScenario, scenariosDir, selectScenarios, type Check } from './scenarioSpec.js';

export function scenarioListCommand(): number {
  const rows = listScenarios();
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  console.log(`${'NAME'.padEnd(width)}   TITLE`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}   ${r.title}${r.tags.length ? `  [${r.tags.join(', ')}]` : ''}`);
  return 0;
}

export interface ScenarioRunOptions {
  config?: string;
  all?: boolean;
  tag?: string[];
  include?: string[];
}

/** `scenario run NAME` runs one lab; `scenario run --all` runs the selected labs one after another and sums up. */
export async function scenarioRunCommand(name: string | undefined, opts: ScenarioRunOptions): Promise<number> {
  if (name && (opts.all || opts.tag?.length)) throw new Error('scenario run: give a scenario name or --all/--tag, not both');
  if (name) return (await runScenario(name, opts.config)).ok ? 0 : 1;
  if (!opts.all && !opts.tag?.length) throw new Error('scenario run: give a scenario name, --all or --tag TAG');
  const names = selectScenarios({ tags: opts.tag, include: opts.include });
  if (names.length === 0) throw new Error(`scenario run: no scenario has tag ${opts.tag?.join(' or ')}`);
  const rows: { name: string; ok: boolean; seconds: number; failed: string[] }[] = [];
  for (const n of names) {
    const start = Date.now();
    let outcome: { ok: boolean; checks: Check[] };
    // One lab that cannot even start (bad pod.yaml, host problem) is that lab's failure, not the end of the run.
    try {
      outcome = await runScenario(n, opts.config);
    } catch (err) {
      console.log(`error: ${(err as Error).message}`);
      outcome = { ok: false, checks: [{ ok: false, what: `ran (${(err as Error).message})` }] };
    }
    rows.push({ name: n, ok: outcome.ok, seconds: (Date.now() - start) / 1000, failed: outcome.checks.filter((c) => !c.ok).map((c) => c.what) });
    console.log(`\n${'='.repeat(78)}\n`);
  }
  printSummary(rows);
  return rows.every((r) => r.ok) ? 0 : 1;
}

function printSummary(rows: { name: string; ok: boolean; seconds: number; failed: string[] }[]): void {
  const width = Math.max(...rows.map((r) => r.name.length), 8);
  console.log(`${'SCENARIO'.padEnd(width)}   RESULT  TIME`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(width)}   ${(r.ok ? 'pass' : 'FAIL').padEnd(6)}  ${r.seconds.toFixed(1)}s`);
    for (const f of r.failed) console.log(`${''.padEnd(width)}     - ${f}`);
  }
  const passed = rows.filter((r) => r.ok).length;
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  console.log(`\n${passed}/${rows.length} scenarios passed in ${total.toFixed(1)}s`);
}

/** Runs a lab as `tinylet run` would, then checks its expected outcome. */
async function runScenario(name: string, configFile: string | undefined): Promise<{ ok: boolean; checks: Check[] }> {
  const spec = loadScenario(name);
  const config = loadConfig(configFile);
  if (spec.agent) applyRaw(config, spec.agent, `scenarios/${name}/scenario.yaml`);
  const { pods, objects } = await loadPods(join(scenariosDir, name, 'pod.yaml'), false);
  console.log(`# ${name}: ${spec.title}  (see scenarios/${name}/README.md)\n`);
  const printed: string[] = [];
  const forMs = spec.run?.for ? parseDuration(spec.run.for, 'run.for') : undefined;
  const after = spec.run?.after;
  if (after !== undefined && (typeof after !== 'string' || after === '' || forMs === undefined)) {
    throw new Error(`scenarios/${name}/scenario.yaml: run.after must be a non-empty string, with run.for`);
  }
  const timeoutMs = after ? parseDuration(spec.run?.timeout ?? '60s', 'run.timeout') : undefined;
  // With run.after the lab deletes its pods itself: `for` after the line, or at the timeout.
  let deleteAll: ((force: boolean) => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  let clockStarted = false;
  const result = await runPods(pods, {
    objects,
    config,
    forMs: after ? undefined : forMs,
    gracePeriodSeconds: spec.run?.gracePeriod,
    force: spec.run?.force,
    control: after
      ? (run) => {
          deleteAll = run.deleteAll;
          timers.push(setTimeout(() => run.deleteAll(false), timeoutMs));
        }
      : undefined,
    print: (line) => {
      printed.push(line);
      console.log(line);
      if (after && !clockStarted && line.includes(after)) {
        clockStarted = true;
        timers.push(setTimeout(() => deleteAll?.(false), forMs));
      }
    },
  });
  for (const t of timers) clearTimeout(t);
  if (after && !clockStarted) console.log(`
(the line "${after}" that starts the clock never came: deleted at the ${spec.run?.timeout ?? '60s'} timeout)`);
  // The verdict as `tinylet run` prints it: a lab that shows a failure also shows the usual fix.
  for (const [i, v] of result.verdicts.entries()) {
    console.log(`\npod/${result.pods[i]!.metadata!.name}: ${v.summary}`);
    for (const h of v.hints ?? []) console.log(`  hint: ${h}`);
  }
  const checks = checkScenario(spec, result, printed);
  console.log(`\nexpected outcome of ${name}:`);
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`);
  const ok = checks.every((c) => c.ok);
  console.log(ok ? '\nscenario passed' : '\nscenario did not go as expected');
  return { ok, checks };
}

import { join } from 'node:path';
import { applyRaw, loadConfig } from '../kubelet/config.js';
import { parseDuration } from '../kubelet/duration.js';
import { loadPods } from './loadPods.js';
import { runPods } from './runPods.js';
import { checkScenario, listScenarios, loadScenario, scenariosDir } from './scenarioSpec.js';

export function scenarioListCommand(): number {
  const rows = listScenarios();
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  console.log(`${'NAME'.padEnd(width)}   TITLE`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}   ${r.title}`);
  return 0;
}

/** Runs a lab as `tinylet run` would, then checks its expected outcome; exit 0 when everything holds. */
export async function scenarioRunCommand(name: string, opts: { config?: string }): Promise<number> {
  const spec = loadScenario(name);
  const config = loadConfig(opts.config);
  if (spec.agent) applyRaw(config, spec.agent, `scenarios/${name}/scenario.yaml`);
  const { pods, objects } = await loadPods(join(scenariosDir, name, 'pod.yaml'), false);
  console.log(`# ${name}: ${spec.title}  (see scenarios/${name}/README.md)\n`);
  const result = await runPods(pods, {
    objects,
    config,
    forMs: spec.run?.for ? parseDuration(spec.run.for, 'run.for') : undefined,
    gracePeriodSeconds: spec.run?.gracePeriod,
    force: spec.run?.force,
    print: (line) => console.log(line),
  });
  // The verdict as `tinylet run` prints it: a lab that shows a failure also shows the usual fix.
  for (const [i, v] of result.verdicts.entries()) {
    console.log(`\npod/${result.pods[i]!.metadata!.name}: ${v.summary}`);
    for (const h of v.hints ?? []) console.log(`  hint: ${h}`);
  }
  const checks = checkScenario(spec, result);
  console.log(`\nexpected outcome of ${name}:`);
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`);
  const ok = checks.every((c) => c.ok);
  console.log(ok ? '\nscenario passed' : '\nscenario did not go as expected');
  return ok ? 0 : 1;
}

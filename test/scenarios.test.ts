import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listScenarios, selectScenarios } from '../src/cli/scenarioSpec.js';
import { writeAgentConfig } from './helpers/testKubelet.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** TINYLET_LABS=all (npm run test:labs) also runs the labs tagged `long`. */
const includeLong = process.env.TINYLET_LABS === 'all';

/** Every bundled workshop lab goes as its scenario.yaml says, on real processes. */
describe('bundled scenarios', () => {
  const names = selectScenarios({ include: includeLong ? ['long'] : [] });

  it('are listed', async () => {
    const all = listScenarios().map((s) => s.name);
    expect(all).toEqual(expect.arrayContaining(['sigterm', 'pid1-ignores-sigterm', 'crashloop', 'init-containers', 'prestop-hook', 'liveness-probe']));
    const r = await execa('node', [cli, 'scenario', 'list']);
    for (const n of all) expect(r.stdout).toContain(n);
  });

  it('--all leaves out the labs tagged long unless --include long', () => {
    const all = listScenarios();
    const long = all.filter((s) => s.tags.includes('long')).map((s) => s.name);
    expect(selectScenarios({})).toEqual(all.filter((s) => !s.tags.includes('long')).map((s) => s.name));
    expect(selectScenarios({ include: ['long'] })).toEqual(all.map((s) => s.name));
    for (const n of long) expect(selectScenarios({})).not.toContain(n);
    expect(selectScenarios({ tags: ['signals'] })).toEqual(all.filter((s) => s.tags.includes('signals')).map((s) => s.name));
  });

  it.each(names)('%s passes its expected outcome', async (name) => {
    const config = writeAgentConfig(dir, name);
    const r = await execa('node', [cli, 'scenario', 'run', name, '--config', config], { reject: false });
    expect(r.stdout, r.stdout + r.stderr).toContain('scenario passed');
    expect(r.exitCode).toBe(0);
  });

  it('--tag runs the tagged labs one after another and prints a summary table', async () => {
    const config = writeAgentConfig(dir, 'tagged');
    const r = await execa('node', [cli, 'scenario', 'run', '--tag', 'smoke', '--config', config], { reject: false });
    const smoke = selectScenarios({ tags: ['smoke'] });
    expect(smoke.length).toBeGreaterThan(0);
    for (const n of smoke) expect(r.stdout, r.stdout + r.stderr).toMatch(new RegExp(`^${n} +pass +\\d+\\.\\ds$`, 'm'));
    expect(r.stdout).toContain(`${smoke.length}/${smoke.length} scenarios passed`);
    expect(r.exitCode).toBe(0);
  });

  it('an unknown scenario or tag is a clear error', async () => {
    const r = await execa('node', [cli, 'scenario', 'run', 'nope'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no scenario "nope" \(tinylet scenario list shows them\)/);
    const t = await execa('node', [cli, 'scenario', 'run', '--tag', 'no-such-tag'], { reject: false });
    expect(t.exitCode).toBe(1);
    expect(t.stderr).toMatch(/no scenario has tag no-such-tag/);
    const none = await execa('node', [cli, 'scenario', 'run'], { reject: false });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/give a scenario name, --all or --tag TAG/);
  });
});

import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listScenarios } from '../src/cli/scenarioSpec.js';
import { writeAgentConfig } from './helpers/testKubelet.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every bundled workshop lab goes as its scenario.yaml says, on real processes. */
describe('bundled scenarios', () => {
  const names = listScenarios().map((s) => s.name);

  it('are listed', async () => {
    expect(names).toEqual(expect.arrayContaining(['sigterm', 'pid1-ignores-sigterm', 'crashloop', 'init-containers', 'prestop-hook', 'liveness-probe']));
    const r = await execa('node', [cli, 'scenario', 'list']);
    for (const n of names) expect(r.stdout).toContain(n);
  });

  it.each(names)('%s passes its expected outcome', async (name) => {
    const config = writeAgentConfig(dir, name);
    const r = await execa('node', [cli, 'scenario', 'run', name, '--config', config], { reject: false });
    expect(r.stdout, r.stdout + r.stderr).toContain('scenario passed');
    expect(r.exitCode).toBe(0);
  });

  it('an unknown scenario is a clear error', async () => {
    const r = await execa('node', [cli, 'scenario', 'run', 'nope'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no scenario "nope" \(tinylet scenario list shows them\)/);
  });
});

// The CI recipe's steps on this machine: docs/ci/verify.sh loads an image archive (`docker save`
// form, built here from busybox-static) and runs tinylet verify with --junit, as the GitHub job does.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/agent.js';
import { buildImage, busyboxLayer, writeDockerSave } from './helpers/ociImage.js';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';

const repo = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-verify-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/ci recipe', () => {
  it('verify.sh loads the saved image, verifies the app and writes the JUnit report', async () => {
    const cfg = writeAgentConfig(dir, 'ci');
    const good = buildImage({ layers: [busyboxLayer()], config: { Cmd: ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'], Env: ['PATH=/bin'] } });
    const archive = join(dir, 'myapp.tar');
    writeDockerSave(archive, [{ image: good, tags: ['myapp:ci'] }], 'legacy');
    const manifest = writeTestFile(dir, 'pod.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: myapp}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - {name: app, image: myapp:ci}\n`);
    const report = join(dir, 'verify-report.xml');
    const env = { TINYLET_DIR: repo, IMAGE_ARCHIVE: archive, MANIFEST: manifest, REPORT: report, TINYLET_CONFIG: cfg, VERIFY_ARGS: '--ready-after 300ms' };
    const r = await execa('bash', [join(repo, 'docs', 'ci', 'verify.sh')], { env, reject: false });
    expect(r.stdout).toContain('Loaded image: docker.io/library/myapp:ci');
    expect(r.stdout).toMatch(/PASS app: exited with code 0/);
    expect(r.exitCode).toBe(0);
    const xml = readFileSync(report, 'utf8');
    expect(xml).toContain('<testsuite name="default/myapp" tests="1" failures="0"');
    await execa('node', [CLI, 'image', 'rm', 'myapp:ci', '--config', cfg], { reject: false });
  }, 90_000);

  it('the GitHub Actions job runs that script as root and keeps the report', () => {
    const job = parse(readFileSync(join(repo, 'docs', 'ci', 'github-actions.yml'), 'utf8')).jobs.verify;
    expect(job['runs-on']).toMatch(/ubuntu/);
    const steps: { run?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string> }[] = job.steps;
    expect(steps.some((s) => /docker save myapp:ci -o myapp\.tar/.test(s.run ?? ''))).toBe(true);
    const verify = steps.find((s) => s.run?.includes('docs/ci/verify.sh'))!;
    expect(verify.run).toMatch(/^sudo -E bash/);
    expect(verify.env).toMatchObject({ IMAGE_ARCHIVE: 'myapp.tar', REPORT: 'verify-report.xml' });
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.with?.path).toBe('verify-report.xml');
  });
});

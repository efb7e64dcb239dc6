// The CI recipe's steps on this machine. docs/ci/verify.sh loads an image archive (`docker save`
// form, built here from busybox-static: there is no Docker daemon) and runs tinylet verify with
// --junit and --timeline. The GitHub job's own `run:` line for it runs as written, with the job's
// env (`${{ runner.temp }}` resolved, the checkout's tinylet standing in for the clone step's), and
// the files its artifact step keeps must be there, also when the app fails the check.
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

type Step = { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> };
const job = parse(readFileSync(join(repo, 'docs', 'ci', 'github-actions.yml'), 'utf8')).jobs.verify as { 'runs-on': string; steps: Step[] };
const verifyStep = job.steps.find((s) => s.run?.includes('docs/ci/verify.sh'))!;
const artifactStep = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
const artifactPaths = String(artifactStep.with?.path ?? '').split('\n').map((p) => p.trim()).filter(Boolean);

/** The image the job's `docker build` + `docker save` step would make: a busybox app with this CMD. */
function savedImage(file: string, cmd: string): void {
  const image = buildImage({ layers: [busyboxLayer()], config: { Cmd: ['/bin/sh', '-c', cmd], Env: ['PATH=/bin'] } });
  writeDockerSave(file, [{ image, tags: ['myapp:ci'] }], 'legacy');
}

/**
 * Runs the job's verify step as GitHub would: its `run:` in bash, in the workspace, with its env.
 * `sudo -E` is the job's way to root; the tests are root already, so where sudo is missing a
 * stand-in that keeps the environment (what -E asks) runs the rest.
 */
async function runVerifyStep(workspace: string, cfg: string) {
  const runnerTemp = join(workspace, '_temp');
  mkdirSync(runnerTemp, { recursive: true });
  // The "get tinylet" step clones into $RUNNER_TEMP/tinylet; this checkout (built) stands in.
  symlinkSync(repo, join(runnerTemp, 'tinylet'));
  const bin = join(workspace, '_bin');
  mkdirSync(bin);
  const hasSudo = (await execa('sh', ['-c', 'command -v sudo'], { reject: false })).exitCode === 0;
  if (!hasSudo) writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -E ] && shift\nexec "$@"\n', { mode: 0o755 });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(verifyStep.env ?? {})) env[k] = v.replace(/\$\{\{\s*runner\.temp\s*\}\}/g, runnerTemp);
  return execa('bash', ['-e', '-c', verifyStep.run!], {
    cwd: workspace,
    env: { ...env, RUNNER_TEMP: runnerTemp, PATH: `${bin}:${process.env.PATH}`, TINYLET_CONFIG: cfg, VERIFY_ARGS: '--ready-after 300ms' },
    reject: false,
    timeout: 120_000,
  });
}

function workspaceWith(name: string, cmd: string): string {
  const ws = mkdtempSync(join(dir, `${name}-`));
  const env = verifyStep.env!;
  savedImage(join(ws, env.IMAGE_ARCHIVE!), cmd);
  mkdirSync(join(ws, 'k8s'), { recursive: true });
  writeFileSync(join(ws, env.MANIFEST!), `apiVersion: v1\nkind: Pod\nmetadata: {name: myapp}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - {name: app, image: myapp:ci}\n`);
  return ws;
}

describe('docs/ci recipe', () => {
  it('verify.sh loads the saved image, verifies the app and writes the JUnit report', async () => {
    const cfg = writeAgentConfig(dir, 'ci');
    const archive = join(dir, 'myapp.tar');
    savedImage(archive, 'trap "exit 0" TERM; while true; do sleep 0.1; done');
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

  it("the job's verify step runs as written and leaves the files its artifact step keeps", async () => {
    const cfg = writeAgentConfig(dir, 'job');
    const ws = workspaceWith('pass', 'trap "exit 0" TERM; while true; do sleep 0.1; done');
    const r = await runVerifyStep(ws, cfg);
    expect(r.stdout).toContain('Loaded image: docker.io/library/myapp:ci');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(artifactPaths).toEqual(['verify-report.xml', 'verify-timeline.html']);
    for (const p of artifactPaths) expect(existsSync(join(ws, p)), p).toBe(true);
    expect(readFileSync(join(ws, 'verify-timeline.html'), 'utf8')).toContain('data-lane="app"');
    await execa('node', [CLI, 'image', 'rm', 'myapp:ci', '--config', cfg], { reject: false });
  }, 120_000);

  it('fails the step for an app that ignores SIGTERM, and still leaves the report (the artifact step runs always)', async () => {
    const cfg = writeAgentConfig(dir, 'jobfail');
    // Shell-form PID 1 with no TERM trap: the signal does nothing, SIGKILL at the deadline.
    const ws = workspaceWith('fail', 'while true; do sleep 0.1; done');
    const r = await runVerifyStep(ws, cfg);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/FAIL app: killed by SIGKILL at the grace deadline/);
    expect(artifactStep.if).toBe('always()');
    const xml = readFileSync(join(ws, 'verify-report.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="default\/myapp" tests="1" failures="1"/);
    expect(xml).toContain('<failure message=');
    expect(readFileSync(join(ws, 'verify-timeline.html'), 'utf8')).toContain('mark sigkill');
    await execa('node', [CLI, 'image', 'rm', 'myapp:ci', '--config', cfg], { reject: false });
  }, 120_000);

  it('the GitHub Actions job runs that script as root and keeps the report', () => {
    expect(job['runs-on']).toMatch(/ubuntu/);
    expect(job.steps.some((s) => /docker save myapp:ci -o myapp\.tar/.test(s.run ?? ''))).toBe(true);
    expect(job.steps.some((s) => /git clone .* "\$RUNNER_TEMP\/tinylet"/.test(s.run ?? ''))).toBe(true);
    expect(verifyStep.run).toMatch(/^sudo -E bash/);
    expect(verifyStep.env).toMatchObject({ TINYLET_DIR: '${{ runner.temp }}/tinylet', IMAGE_ARCHIVE: 'myapp.tar', REPORT: 'verify-report.xml', TIMELINE: 'verify-timeline.html' });
  });
});

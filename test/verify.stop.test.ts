// `tinylet verify`: real pods, real signals. A correct app passes; each classic shutdown mistake
// fails with its diagnosis, read from /proc at the moment the stop signal was sent.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/agent.js';
import { buildImage, busyboxLayer, writeDockerSave } from './helpers/ociImage.js';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';
import { checkVerifyReport } from './helpers/verifySchema.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const config = () => writeAgentConfig(dir, `v${n++}`);
const tinylet = (args: string[]) => execa('node', [CLI, ...args], { reject: false });

const pod = (name: string, container: string, extra = '') =>
  writeTestFile(dir, `${name}.yaml`, `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: app\n    image: busybox\n${container}${extra}`);

async function verify(file: string, cfg = config(), more: string[] = []) {
  const r = await tinylet(['verify', '-f', file, '-o', 'json', '--ready-after', '500ms', '--config', cfg, ...more]);
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.exitCode}): ${r.stdout}\n${r.stderr}`);
  }
  if (report.errors) throw new Error(`verify failed: ${r.stderr}`);
  checkVerifyReport(report);
  return { r, report, check: report.pods[0].containers[0] };
}

describe('tinylet verify', () => {
  it('passes an app that handles SIGTERM, with JSON, JUnit and text reports', async () => {
    const file = pod('good', `    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']\n`);
    const junit = join(dir, 'good.xml');
    const { r, report, check } = await verify(file, config(), ['--junit', junit]);
    expect(r.exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(check).toMatchObject({ container: 'app', ok: true, outcome: 'exited', exitCode: 0, diagnosis: [] });
    expect(check.stopToExitMs).toBeLessThan(1500);
    expect(check.snapshot.processes[0].catches).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="default/good" tests="1" failures="0"');
    expect(xml).not.toContain('<failure');
    const text = await tinylet(['verify', '-f', file, '--ready-after', '200ms', '--config', config()]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/PASS app: exited with code 0, \d+ ms after the stop signal/);
  });

  it('names the shell-form CMD wrapper whose child never got the signal', async () => {
    const cfg = config();
    // The image's CMD in shell form, no command: in the pod (`CMD sleep 1000; echo done`).
    const image = buildImage({ layers: [busyboxLayer()], config: { Cmd: ['/bin/sh', '-c', 'sleep 1000; echo done'], Env: ['PATH=/bin'] } });
    const archive = join(dir, 'shell.tar');
    writeDockerSave(archive, [{ image, tags: ['verify/shell:v1'] }], 'legacy');
    expect((await tinylet(['image', 'load', archive, '--config', cfg])).exitCode).toBe(0);
    const file = writeTestFile(dir, 'shell.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: shell}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: app, image: verify/shell:v1}\n`);
    const { r, report, check } = await verify(file, cfg);
    expect(r.exitCode).toBe(1);
    expect(report.ok).toBe(false);
    expect(check.outcome).toBe('killed');
    expect(check.diagnosis[0].code).toBe('ShellWrapper');
    expect(check.diagnosis[0].message).toMatch(/PID 1 \(`\/bin\/sh -c sleep 1000; echo done`\) has no SIGTERM handler and its child `sleep` \(pid \d+\) never received the signal/);
    expect(check.diagnosis[0].fix).toMatch(/exec/);
    await tinylet(['image', 'rm', 'verify/shell:v1', '--config', cfg]);
  });

  it('names `npm start` as PID 1 in front of a node app that does not stop', async () => {
    // Host-backed pod: the host's node and npm, the app from a hostPath. npm 7+ passes SIGTERM on
    // to the script; this app catches it and keeps serving, so npm (PID 1) waits until SIGKILL.
    const app = mkdtempSync(join(dir, 'npmapp-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node server.js' } }));
    writeFileSync(join(app, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(8080);\nprocess.on('SIGTERM', () => console.log('SIGTERM: ignored'));\n");
    const file = writeTestFile(
      dir,
      'npm.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata: {name: npm}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    image: busybox\n    workingDir: /app\n    command: [npm, start]\n    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}\n    volumeMounts: [{name: app, mountPath: /app}]\n  volumes:\n  - {name: app, hostPath: {path: ${app}}}\n`,
    );
    const { r, check } = await verify(file, config(), ['--ready-after', '0s']);
    expect(r.exitCode).toBe(1);
    expect(check.outcome).toBe('killed');
    expect(check.diagnosis[0].code).toBe('NpmStart');
    expect(check.diagnosis[0].message).toMatch(/^`npm start` is PID 1 and passed SIGTERM on to `node` \(pid \d+\), which caught it but was still running at the deadline/);
    expect(check.snapshot.tcp).toContainEqual(expect.objectContaining({ state: 'LISTEN', local: expect.stringMatching(/:8080$/) }));
  }, 60_000);

  it('fails a pod that ends by itself, and one that never becomes Ready within --timeout', async () => {
    const ends = await verify(writeTestFile(dir, 'ends.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: ends}\nspec:\n  restartPolicy: Never\n  containers:\n  - {name: app, image: busybox, command: [sh, -c, 'exit 0']}\n`));
    expect(ends.r.exitCode).toBe(1);
    expect(ends.report.pods[0].summary).toMatch(/^FAIL: the pod ended by itself \(phase (Succeeded|Running)\) before it could be deleted/);
    const never = await verify(pod('never', `    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']\n    readinessProbe: {exec: {command: ['false']}, periodSeconds: 1}\n`), config(), ['--timeout', '3s']);
    expect(never.r.exitCode).toBe(1);
    expect(never.report.pods[0].summary).toBe('FAIL: the pod did not become Ready within 3s; deleted anyway');
    // It was still stopped and judged.
    expect(never.check).toMatchObject({ outcome: 'exited', ok: true });
  }, 60_000);

  it('names a PID 1 with no handler (SigCgt)', async () => {
    const junit = join(dir, 'nohandler.xml');
    const { r, check } = await verify(pod('nohandler', `    command: [sleep, '1000']\n`), config(), ['--junit', junit]);
    expect(r.exitCode).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="default/nohandler" tests="1" failures="1" errors="0">');
    expect(xml).toMatch(/<testcase classname="default\/nohandler" name="container app stops within the grace period" time="\d+\.\d{3}">\s*<failure message="PID 1 \(`sleep 1000`\) has no SIGTERM handler/);
    expect(check.diagnosis.map((d: any) => d.code)).toEqual(['NoHandler']);
    expect(check.diagnosis[0].message).toMatch(/PID 1 \(`sleep 1000`\) has no SIGTERM handler \(not in SigCgt\)/);
  });

  it('names a PID 1 that ignores SIGTERM (SigIgn)', async () => {
    // `trap '' TERM` then exec: the ignored disposition survives exec, so sleep ignores it.
    const { r, check } = await verify(pod('ignores', `    command: [sh, -c, "trap '' TERM; exec sleep 1000"]\n`));
    expect(r.exitCode).toBe(1);
    expect(check.diagnosis[0].code).toBe('IgnoresSignal');
    expect(check.diagnosis[0].message).toMatch(/ignores SIGTERM \(SigIgn\)/);
    expect(check.snapshot.processes[0].ignores).toBe(true);
  });

  it('names an app that caught SIGTERM but was still running at the deadline', async () => {
    const { r, check } = await verify(pod('slow', `    command: [sh, -c, 'trap "sleep 30" TERM; while true; do sleep 0.1; done']\n`));
    expect(r.exitCode).toBe(1);
    expect(check.diagnosis[0].code).toBe('CaughtButRunning');
    expect(check.diagnosis[0].message).toMatch(/caught SIGTERM but was still running at the deadline; at the signal it had 0 established TCP connections/);
  });

  it('names a preStop hook that ate the grace period', async () => {
    const file = pod('prestop', `    command: [sleep, '1000']\n`, `    lifecycle:\n      preStop:\n        exec: {command: [sleep, '5']}\n`);
    const { r, check } = await verify(file);
    expect(r.exitCode).toBe(1);
    expect(check.diagnosis[0].code).toBe('PreStopBudget');
    expect(check.diagnosis[0].message).toMatch(/preStop took \d\.\d s of a 2 s grace period \(it did not finish\)/);
    expect(check.preStopMs).toBeGreaterThanOrEqual(1800);
  });
});

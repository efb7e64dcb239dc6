import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => writeTestFile(dir, name, text);
let configs = 0;
/** An agent config of its own, so the embedded agent never touches another test's bridge. */
const agentConfig = () => writeAgentConfig(dir, String(configs++));

describe('tinylet run', () => {
  it('refuses an invalid manifest with every error and its field path, starting nothing', async () => {
    const bad = file(
      'bad.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  restartPolicy: Sometimes
  contaners: []
  containers:
  - name: web
    image: busybox
    livenessProbe:
      exec: {command: [true]}
      periodSeconds: 0
      successThreshold: 2
  - name: web
`,
    );
    const r = await execa('node', [cli, 'run', bad, '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    for (const expected of [
      'spec.contaners: unknown field "contaners"',
      'spec.restartPolicy',
      'spec.containers[0].livenessProbe.periodSeconds',
      'spec.containers[0].livenessProbe.successThreshold',
      'spec.containers[1].name: duplicate name "web"',
      'spec.containers[1].image: Required value',
    ]) {
      expect(r.stderr).toContain(expected);
    }
    expect(r.stdout).not.toContain('Started');
  });

  it('-o json prints the final pod and millisecond events; exit 0 for a graceful stop', async () => {
    const pod = file(
      'graceful.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']
`,
    );
    const r = await execa('node', [cli, 'run', pod, '--for', '2s', '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pod.metadata.name).toBe('graceful');
    expect(doc.pod.status.containerStatuses[0].state.terminated.exitCode).toBe(0);
    const reasons = doc.events.map((e: { reason: string }) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Scheduled', 'SandboxReady', 'Started', 'DeleteRequested', 'Signal', 'Exited', 'SandboxRemoved']));
    expect(doc.events[0].eventTime).toMatch(/\.\d{6}Z$/);
  });

  it('exits non-zero when PID 1 ignores SIGTERM and is SIGKILLed', async () => {
    const pod = file('stubborn.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: stubborn}\nspec:\n  containers:\n  - {name: s, image: busybox, command: [sleep, "3600"]}\n`);
    const r = await execa('node', [cli, 'run', pod, '--for', '2s', '--grace-period', '1', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/ExceededGracePeriod/);
    expect(r.stdout).toMatch(/FAIL: s ignored the stop signal/);
    expect(r.stdout).toMatch(/exit code 137/);
  });
});

describe('tinylet run and Ctrl-C', () => {
  it('SIGINT deletes the pod gracefully and prints the verdict', async () => {
    const pod = file('ctrlc.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: ctrlc}\nspec:\n  containers:\n  - {name: app, image: busybox, command: [sh, -c, 'trap "echo bye; exit 0" TERM; echo hello; while true; do sleep 0.1; done']}\n`);
    const child = execa('node', [cli, 'run', pod, '--config', agentConfig()], { reject: false });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('stdout | hello')) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/DeleteRequested/);
    expect(r.stdout).toMatch(/app\s+stdout \| bye/);
    expect(r.stdout).toMatch(/PASS/);
  });
});

describe('host checks', () => {
  it('tinylet doctor reports every check; run refuses a non-root user with the fix', async () => {
    const doctor = await execa('node', [cli, 'doctor'], { reject: false });
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toMatch(/^ok {4}root$/m);
    expect(doctor.stdout).toMatch(/^ok {4}overlay filesystem$/m);
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: nobody}\nspec:\n  containers:\n  - {name: c, image: busybox}\n`;
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', cli, 'run', '-'], { reject: false, input: pod });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('root: tinylet creates namespaces, veths and mounts: run it as root (sudo)');
  });
});

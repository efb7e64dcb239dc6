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
    expect(r.stdout).toContain("  hint: PID 1 gets no default signal action: use the exec form (`exec` in the shell script / CMD [\"node\", \"server.js\"]), handle SIGTERM (`trap 'exit 0' TERM` in sh)");
  });
});

describe('tinylet run -o json: always a JSON document', () => {
  it('an invalid manifest: {"errors"} with each field path, exit 1, nothing started', async () => {
    const bad = file('bad-json.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  restartPolicy: Sometimes\n  containers:\n  - name: web\n');
    const r = await execa('node', [cli, 'run', bad, '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.errors).toEqual([
      expect.objectContaining({ source: bad, field: 'spec.restartPolicy', reason: 'unsupported' }),
      expect.objectContaining({ source: bad, field: 'spec.containers[0].image', reason: 'required', message: 'Required value' }),
    ]);
    expect(r.stderr).toContain('spec.containers[0].image: Required value');
  });

  it('a YAML error: line, column and hint in the document; the excerpt with its caret on stderr', async () => {
    const pasted = file('pasted.yaml', 'kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nEOF\n');
    const r = await execa('node', [cli, 'run', pasted, '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [{ source: pasted, line: 1, column: 1, message: 'Implicit keys need to be on a single line', hint: 'this looks like a shell command; paste only the YAML between `<<EOF` and `EOF`' }],
    });
    expect(r.stderr).toBe(`error: ${pasted}:1:1: Implicit keys need to be on a single line\n  1 | kubectl apply -f - <<EOF\n    | ^\n  hint: this looks like a shell command; paste only the YAML between \`<<EOF\` and \`EOF\``);
  });

  it('a missing file and a bad flag are JSON too', async () => {
    const missing = await execa('node', [cli, 'run', join(dir, 'nope.yaml'), '-o', 'json'], { reject: false });
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout).errors[0].message).toBe('no such file or directory');
    const pod = file('flag.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: f}\nspec: {containers: [{name: c, image: busybox}]}\n');
    const flag = await execa('node', [cli, 'run', pod, '-o', 'json', '--grace-period', 'soon', '--config', agentConfig()], { reject: false });
    expect(flag.exitCode).toBe(1);
    expect(JSON.parse(flag.stdout)).toEqual({ errors: [{ message: '--grace-period must be a whole number of seconds >= 0' }] });
  });
});

describe('tinylet run: files with kinds tinylet does not serve', () => {
  const mixed = () =>
    file(
      'mixed.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: web}}
spec:
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-pdb}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - {name: web, image: busybox, command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']}
`,
    );

  it('refuses the file by default, naming each object, what tinylet serves and what to do', async () => {
    const r = await execa('node', [cli, 'run', mixed(), '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/has objects tinylet does not serve:\n/);
    expect(r.stderr).toContain('mixed.yaml#2 (PodDisruptionBudget web-pdb): kind "PodDisruptionBudget" is not served yet (tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets): it only limits evictions (kubectl drain), and the agent serves it to kubectl (kubectl apply -f), not to the tinylet commands: pod solo runs the same without it; --lenient skips it');
    expect(r.stderr).toContain('mixed.yaml#3 (Deployment web): kind "Deployment" is not served yet (tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets): --as-pod runs its spec.template as pod web; --lenient skips it');
    expect(r.stdout).not.toMatch(/Started/);
  });

  it('--lenient skips them (the warnings do not say to use --lenient); --as-pod runs the Deployment as a pod with its labels', async () => {
    const r = await execa('node', [cli, 'run', mixed(), '--lenient', '--as-pod', '--for', '2s', '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pods.map((p: { metadata: { name: string; labels: object } }) => [p.metadata.name, p.metadata.labels])).toEqual([
      ['solo', { app: 'web' }],
      ['web', { app: 'web', tier: 'front' }],
    ]);
    expect(r.stderr).toContain('Warning: ');
    expect(r.stderr).toContain('skipped: kind "PodDisruptionBudget" is not served yet (tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets)');
    expect(r.stderr).toContain('note: Deployment web: runs its spec.template as pod web (one pod, not 2 replicas; no rollout, and nothing recreates it once deleted)');
    expect(r.stderr).not.toMatch(/use --lenient/);
    // With --as-pod the budget covers both pods of the file.
    expect(doc.warnings).toEqual([expect.stringMatching(/mixed\.yaml#2 \(PodDisruptionBudget web-pdb\): skipped: .*: pods solo, web run the same without it$/)]);
  });
});

describe('tinylet run: verdicts name the real reason', () => {
  it('an init container crash-looping: Init:CrashLoopBackOff with its last exit, no longer --for', async () => {
    const pod = file('initcrash.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: initcrash}\nspec:\n  initContainers:\n  - {name: setup, image: busybox, command: [sh, -c, 'echo boom; exit 3']}\n  containers:\n  - {name: app, image: busybox, command: [sleep, '3600']}\n`);
    const r = await execa('node', [cli, 'run', pod, '--for', '3s', '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).verdict.summary).toBe('FAIL: app never started (Init:CrashLoopBackOff: init container setup kept failing, last exit code 3)');
  });

  it('an image that cannot be pulled: the pull error', async () => {
    const pod = file('badimage.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: badimage}\nspec:\n  containers:\n  - {name: app, image: example.com/nope/missing:1.0}\n');
    const r = await execa('node', [cli, 'run', pod, '--for', '2s', '-o', 'json', '--config', agentConfig()], { reject: false });
    expect(r.exitCode).toBe(1);
    const { summary } = JSON.parse(r.stdout).verdict;
    expect(summary).toMatch(/^FAIL: app never started \((ErrImagePull|ImagePullBackOff): Failed to pull image "example\.com\/nope\/missing:1\.0": /);
    expect(summary).not.toMatch(/--for/);
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

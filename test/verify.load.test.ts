// `tinylet verify --load`: HTTP requests during the delete. An app that finishes its in-flight
// requests passes; one that destroys its connections on SIGTERM fails with the count.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/agent.js';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';
import { checkVerifyReport } from './helpers/verifySchema.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-verify-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// Host-backed pods running the host's node: each response takes 400 ms, so requests are in flight
// when SIGTERM comes.
const SERVER = `const http = require('http');
const sockets = new Set();
const srv = http.createServer((q, s) => setTimeout(() => s.end('ok'), 400)).listen(8080);
srv.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
process.on('SIGTERM', () => {
  if (process.env.MODE === 'drop') { srv.close(); for (const c of sockets) c.destroy(); setTimeout(() => process.exit(0), 100); }
  else srv.close(() => process.exit(0));
});
`;

function manifest(name: string, mode: string): string {
  const app = mkdtempSync(join(dir, 'app-'));
  writeFileSync(join(app, 'server.js'), SERVER);
  return writeTestFile(
    dir,
    `${name}.yaml`,
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: app\n    image: busybox\n    command: [node, /app/server.js]\n    env: [{name: MODE, value: ${mode}}]\n    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}\n    volumeMounts: [{name: app, mountPath: /app}]\n  volumes:\n  - {name: app, hostPath: {path: ${app}}}\n`,
  );
}

async function verifyWithLoad(name: string, mode: string) {
  const cfg = writeAgentConfig(dir, `l${n++}`);
  const r = await execa('node', [CLI, 'verify', '-f', manifest(name, mode), '-o', 'json', '--load', `pod/${name}:8080/`, '--rps', '20', '--concurrency', '4', '--config', cfg], { reject: false });
  const report = JSON.parse(r.stdout);
  if (report.errors) throw new Error(`verify failed: ${r.stderr}`);
  checkVerifyReport(report);
  return { r, report };
}

describe('tinylet verify --load', () => {
  it('passes an app that finishes its in-flight requests', async () => {
    const { r, report } = await verifyWithLoad('drains', 'drain');
    expect(report.pods[0].containers[0]).toMatchObject({ outcome: 'exited', ok: true });
    expect(report.load.completed).toBeGreaterThan(0);
    expect(report.load.droppedInFlight).toBe(0);
    expect(report.load.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  }, 60_000);

  it('fails an app that drops in-flight requests on SIGTERM, with the count and timing', async () => {
    const { r, report } = await verifyWithLoad('drops', 'drop');
    // The container itself stopped in time: only the load check fails.
    expect(report.pods[0].containers[0]).toMatchObject({ outcome: 'exited', ok: true });
    expect(report.load.ok).toBe(false);
    expect(report.load.droppedInFlight).toBeGreaterThan(0);
    expect(report.load.reset).toBeGreaterThan(0);
    const dropped = report.load.failures.filter((f: any) => f.startedBeforeStopSignal);
    expect(dropped.length).toBe(report.load.droppedInFlight);
    // Reset right after the signal, not at some unrelated time.
    for (const f of dropped) expect(f.msFromStopSignal).toBeGreaterThanOrEqual(-50);
    for (const f of dropped) expect(f.msFromStopSignal).toBeLessThan(1500);
    expect(report.ok).toBe(false);
    expect(r.exitCode).toBe(1);
  }, 60_000);
});

describe('tinylet verify --load targets', () => {
  it('refuses a bad --load, --rps or --concurrency, naming the flag, before starting anything', async () => {
    const file = writeTestFile(dir, 'idle.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: idle}\nspec:\n  containers:\n  - {name: app, image: busybox, command: [sleep, '1000']}\n`);
    const cfg = writeAgentConfig(dir, `l${n++}`);
    for (const [args, message] of [
      [['--load', 'web:80'], /--load: "web:80" is not a URL, pod\/NAME:PORT\[\/path\] or service\/NAME:PORT\[\/path\]/],
      [['--load', 'https://127.0.0.1/'], /--load: only http:\/\/ URLs/],
      [['--load', 'pod/idle:99999'], /--load: "pod\/idle:99999" is not a URL/],
      [['--load', 'pod/idle:80', '--rps', '0'], /--rps must be a whole number from 1 to 10000/],
      [['--load', 'pod/idle:80', '--concurrency', 'x'], /--concurrency must be a whole number from 1 to 10000/],
    ] as const) {
      const r = await execa('node', [CLI, 'verify', '-f', file, '--config', cfg, ...args], { reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).not.toContain('pod/idle');
    }
  });

  it('loads a Service through its cluster IP and counts the resets of an app that drops connections', async () => {
    const app = mkdtempSync(join(dir, 'app-'));
    writeFileSync(join(app, 'server.js'), SERVER);
    const file = writeTestFile(
      dir,
      'svc.yaml',
      `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: app\n    image: busybox\n    command: [node, /app/server.js]\n    env: [{name: MODE, value: drop}]\n    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}\n    volumeMounts: [{name: app, mountPath: /app}]\n  volumes:\n  - {name: app, hostPath: {path: ${app}}}\n`,
    );
    const r = await execa('node', [CLI, 'verify', '-f', file, '--load', 'service/web:80/', '--config', writeAgentConfig(dir, `l${n++}`)], { reject: false });
    expect(r.stdout).toMatch(/load service\/web:80\/: FAIL: \d+ started, [1-9]\d* completed, [1-9]\d* failed \([1-9]\d* reset, [1-9]\d* in flight at the stop signal\)/);
    expect(r.stdout).toMatch(/ECONNRESET \(in flight at the signal\) at \+\d+ ms from the stop signal/);
    expect(r.exitCode).toBe(1);
  }, 60_000);
});

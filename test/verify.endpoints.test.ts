// `tinylet verify --load service/...`: requests that failed during the shutdown, timed against the
// stop signal and the pod leaving the Service's ready endpoints. The lab's classic: an app that
// stops accepting at SIGTERM while the Service (here with a 2 s removal delay, kube-proxy's lag)
// still sends it traffic; the same app behind a preStop sleep passes.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/agent.js';
import { writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';
import { checkVerifyReport } from './helpers/verifySchema.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-verify-endpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Stops accepting at SIGTERM (closes its listener), exits 2.5 s later: connections meet a closed port.
const SERVER = `const http = require('http');
const srv = http.createServer((q, s) => s.end('ok')).listen(8080);
process.on('SIGTERM', () => { srv.close(); setTimeout(() => process.exit(0), 2500); });
`;

function manifest(name: string, preStop: string): string {
  const app = mkdtempSync(join(dir, 'app-'));
  writeFileSync(join(app, 'server.js'), SERVER);
  return writeTestFile(
    dir,
    `${name}.yaml`,
    `apiVersion: v1
kind: Service
metadata: {name: ${name}, annotations: {tinylet.dev/endpoint-removal-delay: "2"}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  terminationGracePeriodSeconds: 8
  containers:
  - name: app
    image: busybox
    command: [node, /app/server.js]
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
${preStop}    volumeMounts: [{name: app, mountPath: /app}]
  volumes:
  - {name: app, hostPath: {path: ${app}}}
`,
  );
}

async function verify(name: string, preStop = '') {
  const timeline = join(dir, `${name}.html`);
  const junit = join(dir, `${name}.xml`);
  const args = [CLI, 'verify', '-f', manifest(name, preStop), '-o', 'json', '--load', `service/${name}:80/`, '--rps', '40', '--timeline', timeline, '--junit', junit, '--config', writeAgentConfig(dir, name)];
  const r = await execa('node', args, { reject: false, timeout: 90_000 });
  const report = JSON.parse(r.stdout);
  if (report.errors) throw new Error(`verify failed: ${r.stderr}`);
  checkVerifyReport(report);
  return { r, report, timeline: readFileSync(timeline, 'utf8'), junit: readFileSync(junit, 'utf8') };
}

describe('tinylet verify: failures against the endpoint removal', () => {
  it('fails an app that stops accepting at SIGTERM while the Service still lists it, with the timing', async () => {
    const { r, report, timeline, junit } = await verify('stopper');
    expect(report.pods[0].containers[0]).toMatchObject({ outcome: 'exited', ok: true });
    const { load } = report;
    const timing = load.timing;
    expect(timing).toMatchObject({ service: 'stopper' });
    // The pod left the ready endpoints about 2 s (the removal delay) after the signal.
    expect(timing.endpointRemovedMs).toBeGreaterThanOrEqual(1700);
    expect(timing.endpointRemovedMs).toBeLessThan(5000);
    expect(timing.beforeEndpointRemoval).toBeGreaterThan(0);
    expect(timing.firstFailureMs).toBeGreaterThanOrEqual(0);
    expect(timing.firstFailureMs).toBeLessThan(timing.endpointRemovedMs);
    expect(['StoppedBeforeEndpointRemoval', 'FailedBothSides']).toContain(timing.code);
    expect(timing.message).toMatch(/^\d+ requests? failed, \d+(–\d+)? ms after the stop signal.* before the endpoint was removed at \+\d+ ms/);
    expect(timing.fix).toMatch(/preStop/);
    // Each failure on both clocks, consistently.
    for (const f of load.failures) if (f.msFromStopSignal !== null) expect(f.msFromStopSignal - f.msFromEndpointRemoval).toBe(timing.endpointRemovedMs);
    const before = load.failures.filter((f: any) => f.msFromStopSignal >= 0 && f.msFromEndpointRemoval < 0).length;
    expect(before).toBe(timing.beforeEndpointRemoval);
    expect(load.ok).toBe(false);
    expect(report.ok).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(junit).toContain('before the endpoint was removed at +');
    // The timeline shows the endpoint band: ready, then terminating after the delay.
    expect(timeline).toContain('data-service="stopper"');
    expect(timeline).toContain('class="ep ready"');
  }, 120_000);

  it('passes the same app behind a preStop sleep: the endpoint is gone before the signal', async () => {
    const { report, timeline } = await verify('sleeper', '    lifecycle: {preStop: {sleep: {seconds: 3}}}\n');
    const { load } = report;
    expect(load.timing.endpointRemovedMs).toBeLessThan(0);
    expect(load.timing.beforeEndpointRemoval).toBe(0);
    expect(['NoFailures', 'FailedAfterEndpointRemoval']).toContain(load.timing.code);
    expect(load.droppedInFlight).toBe(0);
    expect(load.completed).toBeGreaterThan(0);
    expect(load.ok).toBe(true);
    expect(report.pods[0].containers[0]).toMatchObject({ outcome: 'exited', ok: true });
    expect(report.pods[0].containers[0].preStopMs).toBeGreaterThanOrEqual(2900);
    expect(timeline).toContain('class="iv preStop"');
  }, 120_000);
});

// The official Kubernetes Python client (Debian's python3-kubernetes) as a client of the agent: it
// sends `watch=True`, `follow=True`, `previous=True`, `timestamps=True`, `stdin=True`, `tty=True`
// and deserialises every reply into its models. Skipped, saying so, where the module is missing
// (`apt-get install python3-kubernetes`).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

// Debian's interpreter, where Debian's package installs the module (not a pyenv or venv python3 on
// PATH); TINYLET_TEST_PYTHON names another one.
const PYTHON = process.env.TINYLET_TEST_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'python', 'official_client.py');
const DRAIN_SCRIPT = join(import.meta.dirname, 'python', 'drain_attach_forward.py');

function missingReason(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import kubernetes, kubernetes.stream'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return `${PYTHON} cannot import kubernetes: apt-get install python3-kubernetes`;
  }
}

const missing = missingReason();
if (missing) console.warn(`test/server.python.test.ts skipped: ${missing}`);
const pods = '/api/v1/namespaces/default/pods';

function pod(name: string, command: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command] }], ...spec } };
}

describe.skipIf(missing !== undefined)(`the official Python client${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
    await t.http('POST', pods, { body: pod('py-shell', 'sleep 3600') });
    await t.http('POST', pods, { body: pod('py-follow', 'echo hello', { restartPolicy: 'Never' }) });
    await t.http('POST', pods, { body: pod('py-chatty', 'echo one; echo two; sleep 0.3; exit 1') });
    await waitForApiPod(t.agent, 'default', 'py-shell', isRunning);
    await waitForApiPod(t.agent, 'default', 'py-follow', (p) => p?.status?.phase === 'Succeeded');
    await waitForApiPod(t.agent, 'default', 'py-chatty', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    // Started last: its log is followed while it still writes.
    await t.http('POST', pods, { body: pod('py-slow', 'sleep 4; echo first; sleep 1; echo second', { restartPolicy: 'Never' }) });
    await waitForApiPod(t.agent, 'default', 'py-slow', isRunning);
  });
  afterAll(async () => t?.stop());

  it('lists, watches with a timeout, reads, follows and execs with the client\'s True casing', async () => {
    const addr = t.agent.server.tcpAddress!;
    const r = await execa(PYTHON, ['-W', 'ignore', SCRIPT], {
      reject: false,
      timeout: 60_000,
      env: { TINYLET_HOST: `https://${addr.host}:${addr.port}`, TINYLET_TOKEN: t.agent.token, PYTHONWARNINGS: 'ignore' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.pods).toEqual(['py-chatty', 'py-follow', 'py-shell', 'py-slow']);
    expect(out.watch[0]).toEqual(['ADDED', 'py-chatty']);
    expect(out.watch_seconds).toBeGreaterThanOrEqual(1.5);
    expect(out.log).toBe('hello\n');
    expect(out.previous).toBe('one\ntwo\n');
    expect(out.timestamps).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two\n$/);
    expect(out.follow).toBe('first\nsecond\n');
    expect(out.follow_seconds).toBeGreaterThan(0.5);
    expect(out.exec).toContain('out\n');
    expect(out.exec).toContain('err\n');
    expect(out.exec_stdin).toBe('got:abc\n');
    expect(out.exec_tty).toContain('got:tty');
    expect(out.exec_tty).toMatch(/\/dev\/pts\/\d+/);
    expect(out.not_found).toEqual({
      status: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 },
    });
  });

  it('attaches, port-forwards and drains (cordon, evictions a PodDisruptionBudget limits)', async () => {
    const ready = { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } };
    const withContainer = (p: any, extra: object, labels?: object) => ({ ...p, metadata: { ...p.metadata, ...(labels ? { labels } : {}) }, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], ...extra }] } });
    await t.http('POST', pods, { body: withContainer(pod('py-attach', 'while read l; do echo "echo:$l"; done'), { stdin: true }) });
    await t.http('POST', pods, { body: pod('py-web', 'mkdir /www; echo served-from-pod > /www/index.html; exec httpd -f -p 8080 -h /www') });
    for (const n of ['py-web-a', 'py-web-b', 'py-web-c']) await t.http('POST', pods, { body: withContainer(pod(n, 'sleep 3600'), ready, { app: 'py-web' }) });
    const pdb = await t.http('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'py-web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'py-web' } } } } });
    expect(pdb.status).toBe(201);
    for (const n of ['py-attach', 'py-web']) await waitForApiPod(t.agent, 'default', n, isRunning);
    const healthy = async () => (await t.http('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/py-web')).json?.status?.currentHealthy === 3;
    for (let end = Date.now() + 20_000; !(await healthy()) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 200));
    // busybox httpd listens a moment after its container runs.
    await new Promise((r) => setTimeout(r, 300));
    const addr = t.agent.server.tcpAddress!;
    const r = await execa(PYTHON, ['-W', 'ignore', DRAIN_SCRIPT], {
      reject: false,
      timeout: 60_000,
      env: { TINYLET_HOST: `https://${addr.host}:${addr.port}`, TINYLET_TOKEN: t.agent.token, TINYLET_NODE: t.config.nodeName, PYTHONWARNINGS: 'ignore' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.attach).toContain('echo:ping\n');
    expect(out.attach_after).toBe('Running');
    expect(out.forward.response).toMatch(/^HTTP\/1\.[01] 200/);
    expect(out.forward.response).toContain('served-from-pod');
    expect(out.forward.error).toBeNull();
    expect(out.cordoned).toBe(true);
    expect(out.pdb).toMatchObject({ current_healthy: 3, desired_healthy: 2, disruptions_allowed: 1, expected_pods: 3 });
    expect(out.evict_a.status).toBe(201);
    expect(out.evict_b).toMatchObject({ status: 429, body: { reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." } });
    expect(out.evict_b_after.status).toBe(201);
  });
});

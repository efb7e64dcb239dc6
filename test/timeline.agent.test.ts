import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { podDir } from '../src/kubelet/podPaths.js';
import type { TimelineEntry, TimelineRecord } from '../src/timeline/record.js';
import { agentWithFiles, cli, ensureNamespace, isRunning, waitForApiPod } from './helpers/agent.js';

const ctx = agentWithFiles('tinylet-timeline-agent-');

const manifest = `apiVersion: v1
kind: Pod
metadata: {name: tla}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
    readinessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
`;

describe('tinylet timeline POD against an agent', () => {
  it('draws a running pod, then the same pod after its delete from the events left', async () => {
    const { t } = ctx;
    await ensureNamespace(t, 'default');
    const applied = await cli(t, ['apply', '-f', ctx.file('tla.yaml', manifest)]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    await waitForApiPod(t.agent, 'default', 'tla', isRunning, 30_000);
    // Let the readiness probe fail a few times: one event, repeated (count, series).
    await new Promise((r) => setTimeout(r, 3500));

    const running = await cli(t, ['timeline', 'tla', '-o', 'svg']);
    expect(running.exitCode, running.stderr).toBe(0);
    expect(running.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(running.stdout).toContain('data-lane="app"');
    expect(running.stdout).toContain('iv running');
    // The agent's own record: every failing tick of the readiness probe (the first five of a run
    // are all kept), where the API's events keep one repeated event.
    expect(running.stdout.match(/class="tick failed"/g)?.length ?? 0).toBeGreaterThanOrEqual(3);

    const deleted = await cli(t, ['delete', 'pod', 'tla']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    await waitForApiPod(t.agent, 'default', 'tla', (p) => p === undefined, 30_000);
    const after = await cli(t, ['timeline', 'pod/tla']);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toContain('<!DOCTYPE html>');
    for (const s of ['mark delete', 'mark signal', 'mark sigkill', 'mark exit', '<td>ExceededGracePeriod</td>']) expect(after.stdout).toContain(s);
  }, 90_000);

  it('serves the kubelet record of a pod with exec and http probes, postStart, preStop and a Service', async () => {
    const { t } = ctx;
    await ensureNamespace(t, 'default');
    const app = mkdtempSync(join(ctx.dir, 'app-'));
    // Answers /healthz; on SIGTERM stops at once (the preStop hook has held it 2 s by then).
    writeFileSync(join(app, 'server.js'), `require('http').createServer((q, s) => s.end('ok')).listen(8080); process.on('SIGTERM', () => process.exit(0));`);
    const file = ctx.file(
      'tlk.yaml',
      `apiVersion: v1
kind: Service
metadata: {name: web-tl}
spec:
  selector: {app: tlk}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: tlk, labels: {app: tlk}}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [node, /app/server.js]
    readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
    livenessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
    lifecycle:
      postStart: {exec: {command: [sleep, "0.4"]}}
      preStop: {exec: {command: [sleep, "2"]}}
    volumeMounts: [{name: app, mountPath: /app}]
  volumes:
  - {name: app, hostPath: {path: ${app}}}
`,
    );
    const applied = await cli(t, ['apply', '-f', file]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const ready = (p: Pod | undefined) => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    const started = (await waitForApiPod(t.agent, 'default', 'tlk', ready, 30_000))!;
    await new Promise((r) => setTimeout(r, 3000));

    // Authorised as `get pods`: the admin token over TCP may; the pod's own service account, which
    // may not get pods (no RBAC binding gives it that), gets RBAC's 403 for `get pods`; no token, 401.
    expect((await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline', { tcp: true })).status).toBe(200);
    const token = readFileSync(join(podDir(t.config.stateDir, started), 'volumes', 'kube-api-access.tinylet', 'token'), 'utf8');
    const denied = await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline', { tcp: true, token });
    expect(denied.status).toBe(403);
    expect(denied.json?.message).toContain('cannot get resource "pods" in API group "" in the namespace "default"');
    expect((await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline', { tcp: true, token: null })).status).toBe(401);

    const served = await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline');
    expect(served.status, served.text).toBe(200);
    const rec = served.json as TimelineRecord;
    expect(rec).toMatchObject({ source: 'kubelet', pod: { namespace: 'default', name: 'tlk' }, containers: ['app'], services: ['web-tl'] });
    const of = (pred: (e: TimelineEntry) => boolean) => rec.entries.filter(pred);
    // Probe successes, per type, each with how long it took.
    for (const kind of ['readiness', 'liveness'] as const) {
      const ok = of((e) => e.probe?.kind === kind && e.probe.result === 'success');
      expect(ok.length, kind).toBeGreaterThanOrEqual(2);
      // Each with how long it took: under its timeout (1 s), with slack for a loaded box.
      for (const e of ok) expect(e.probe!.durationMs).toBeLessThan(3000);
    }
    // postStart: `sleep 0.4`, its start and end.
    const [hookStart, hookEnd] = [of((e) => e.hook?.name === 'postStart' && e.hook.phase === 'start')[0]!, of((e) => e.hook?.name === 'postStart' && e.hook.phase === 'end')[0]!];
    expect(hookEnd.hook!.ok).toBe(true);
    expect(hookEnd.t - hookStart.t).toBeGreaterThanOrEqual(380);
    expect(hookEnd.t - hookStart.t).toBeLessThan(5000);
    // The endpoint joins web-tl's slices as ready once the container is Ready (same tick: no batching).
    const readyAt = of((e) => e.reason === 'Ready')[0]!.t;
    const joined = of((e) => e.endpoint?.service === 'web-tl' && e.endpoint.state?.ready === true)[0]!;
    expect(joined.t).toBeGreaterThanOrEqual(readyAt - 5);
    expect(joined.t - readyAt).toBeLessThan(2000);
    expect(joined.t).toBeGreaterThan(hookEnd.t);

    const svg = await cli(t, ['timeline', 'tlk', '-o', 'svg']);
    expect(svg.exitCode, svg.stderr).toBe(0);
    for (const s of ['data-probe="readiness"', 'data-probe="liveness"', 'class="tick ok"', 'iv postStart', 'data-service="web-tl"', 'ep ready']) expect(svg.stdout).toContain(s);

    // While it stops: the preStop hook under way and the endpoint terminating in the record.
    const deleted = await cli(t, ['delete', 'pod', 'tlk', '--wait=false']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    let stopping: TimelineRecord | undefined;
    for (let i = 0; i < 40 && !stopping; i++) {
      const r = await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline');
      const entries = (r.json?.entries ?? []) as TimelineEntry[];
      if (entries.some((e) => e.hook?.name === 'preStop') && entries.some((e) => e.endpoint?.state?.terminating)) stopping = r.json;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(stopping, 'the record while the pod stops').toBeDefined();
    const del = stopping!.entries.find((e) => e.reason === 'DeleteRequested')!;
    const left = stopping!.entries.find((e) => e.endpoint?.state?.terminating)!;
    expect(left.endpoint!.state).toMatchObject({ ready: false, terminating: true });
    expect(left.t - del.t).toBeGreaterThanOrEqual(0);
    expect(left.t - del.t).toBeLessThan(2000);
    await waitForApiPod(t.agent, 'default', 'tlk', (p) => p === undefined, 30_000);
    // Gone: no record any more (the CLI draws the events left instead).
    expect((await t.http('GET', '/tinylet/v1/namespaces/default/pods/tlk/timeline')).status).toBe(404);
    expect(t.agent.kubelet.timelines.recordOf(stopping!.pod.uid!)).toBeUndefined();
    expect((await t.http('POST', '/tinylet/v1/namespaces/default/pods/tlk/timeline', { body: {} })).status).toBe(405);
    await cli(t, ['delete', 'service', 'web-tl']);
  }, 120_000);

  it('names the problem: an unknown pod, an unknown format', async () => {
    const none = await cli(ctx.t, ['timeline', 'nope']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('pods "nope" not found');
    const bad = await cli(ctx.t, ['timeline', 'nope', '-o', 'png']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('-o png');
  });
});

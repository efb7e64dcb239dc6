import { statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWatch, isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const pods = '/api/v1/namespaces/default/pods';

function pod(name: string, command: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name, ...labels } },
    spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command] }], ...spec },
  };
}

describe('the agent API over HTTP', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => t?.stop());

  it('serves discovery documents kubectl relies on', async () => {
    const api = await t.http('GET', '/api');
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const v1 = await t.http('GET', '/api/v1');
    const byName = Object.fromEntries(v1.json.resources.map((r: any) => [r.name, r]));
    expect(byName.pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(byName.pods.verbs).toEqual(expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']));
    for (const r of ['pods/log', 'pods/status', 'pods/exec', 'events', 'namespaces']) expect(byName[r]).toBeDefined();
    expect((await t.http('GET', '/apis')).json.kind).toBe('APIGroupList');
    expect((await t.http('GET', '/version')).json.major).toBe('1');
    expect((await t.http('GET', '/healthz')).text).toBe('ok');
    expect((await t.http('GET', '/readyz')).status).toBe(200);
    expect((await t.http('GET', '/api/v1/nodes')).json.items.map((n: any) => n.metadata.name)).toEqual([t.config.nodeName]);
    expect((await t.http('GET', '/api/v1/persistentvolumes')).json).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('puts the socket at mode 0660, group tinylet', () => {
    const st = statSync(t.socket);
    expect(st.mode & 0o777).toBe(0o660);
    const gid = Number(execFileSync('getent', ['group', 'tinylet'], { encoding: 'utf8' }).split(':')[2]);
    expect(st.gid).toBe(gid);
  });

  it('refuses TCP requests without a valid bearer token with 401, and accepts the right one', async () => {
    const none = await t.http('GET', pods, { tcp: true, token: null });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await t.http('GET', pods, { tcp: true, token: 'wrong-token' })).status).toBe(401);
    expect((await t.http('GET', '/api', { tcp: true, token: `${t.agent.token}x` })).status).toBe(401);
    expect((await t.http('GET', pods, { tcp: true })).status).toBe(200);
    expect((await t.http('GET', '/healthz', { tcp: true, token: null })).status).toBe(200);
    // The kubeconfig (token included) is only handed out on the socket.
    expect((await t.http('GET', '/tinylet/v1/kubeconfig', { tcp: true })).status).toBe(403);
    const kc = await t.http('GET', '/tinylet/v1/kubeconfig');
    expect(kc.json.token).toBe(t.agent.token);
    expect(kc.json.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates, lists with selectors and tables, gets, and reports errors as Status objects', async () => {
    const created = await t.http('POST', pods, { body: pod('alpha', 'sleep 3600', { tier: 'front' }) });
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: 'alpha', namespace: 'default' });
    expect(created.json.spec.nodeName).toBe(t.config.nodeName);
    await t.http('POST', pods, { body: pod('beta', 'sleep 3600', { tier: 'back' }) });
    await waitForApiPod(t.agent, 'default', 'alpha', isRunning);

    const dup = await t.http('POST', pods, { body: pod('alpha', 'true') });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ reason: 'AlreadyExists', message: 'pods "alpha" already exists', details: { name: 'alpha', kind: 'pods' } });

    const bad = await t.http('POST', pods, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'x' }] } } });
    expect(bad.status).toBe(422);
    expect(bad.json.reason).toBe('Invalid');
    expect(bad.json.message).toMatch(/^Pod "bad" is invalid: /);
    const fields = bad.json.details.causes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.restartPolicy', 'spec.containers[0].image']));

    const missing = await t.http('GET', `${pods}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'pods "nope" not found', code: 404 });

    const sel = async (q: string) => (await t.http('GET', `${pods}?${q}`)).json.items.map((p: any) => p.metadata.name).sort();
    expect(await sel('labelSelector=tier%3Dfront')).toEqual(['alpha']);
    expect(await sel('labelSelector=tier%20in%20(front,back)')).toEqual(['alpha', 'beta']);
    expect(await sel('labelSelector=tier%20notin%20(front)')).toEqual(['beta']);
    expect(await sel('labelSelector=!nothere')).toEqual(['alpha', 'beta']);
    expect(await sel('labelSelector=app,tier!%3Dback')).toEqual(['alpha']);
    expect(await sel('fieldSelector=metadata.name%3Dbeta')).toEqual(['beta']);
    expect(await sel('fieldSelector=status.phase%3DRunning,metadata.name!%3Dbeta')).toEqual(['alpha']);
    expect((await t.http('GET', `${pods}?fieldSelector=spec.bogus%3D1`)).json).toMatchObject({ code: 400, message: 'field label not supported: spec.bogus' });

    const table = await t.http('GET', pods, { accept: TABLE });
    expect(table.json.kind).toBe('Table');
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    const alphaRow = table.json.rows.find((r: any) => r.cells[0] === 'alpha');
    expect(alphaRow.cells.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    expect((await t.http('GET', '/api/v1/pods')).json.items.length).toBeGreaterThanOrEqual(2);

    const ns = (await t.http('GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name);
    expect(ns).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    const ev = await t.http('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dalpha');
    expect(ev.json.items.length).toBeGreaterThan(0);
    expect(ev.json.items.every((e: any) => e.involvedObject.name === 'alpha')).toBe(true);
    expect(ev.json.items.map((e: any) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
  });

  it('streams a watch from a list resourceVersion through a graceful delete', async () => {
    await t.http('POST', pods, { body: pod('watched', 'trap "exit 0" TERM; while true; do sleep 0.1; done') });
    await waitForApiPod(t.agent, 'default', 'watched', isRunning);
    const list = await t.http('GET', `${pods}?fieldSelector=metadata.name%3Dwatched`);
    const rv = list.json.metadata.resourceVersion;
    const watching = collectWatch(t, `${pods}?watch=true&fieldSelector=metadata.name%3Dwatched&resourceVersion=${rv}`, (evs) => evs.some((e) => e.type === 'DELETED'));
    const del = await t.http('DELETE', `${pods}/watched`, { body: { gracePeriodSeconds: 5 } });
    expect(del.status).toBe(200);
    expect(del.json.metadata.deletionTimestamp).toBeDefined();
    expect(del.json.metadata.deletionGracePeriodSeconds).toBe(5);
    const events = await watching;
    expect(events[0].type).toBe('MODIFIED');
    expect(events[0].object.metadata.deletionTimestamp).toBeDefined();
    expect(events.at(-1).type).toBe('DELETED');
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(rv));
  });

  it('serves logs: tailLines, timestamps, previous, follow until the container exits', async () => {
    await t.http('POST', pods, { body: pod('chatty', 'for i in 1 2 3 4 5; do echo line $i; done; sleep 0.5; exit 1') });
    // The first restart is immediate: instance 1 runs after instance 0 exits.
    await waitForApiPod(t.agent, 'default', 'chatty', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const all = await t.http('GET', `${pods}/chatty/log?previous=true`);
    expect(all.text).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect((await t.http('GET', `${pods}/chatty/log?previous=true&tailLines=2`)).text).toBe('line 4\nline 5\n');
    const stamped = (await t.http('GET', `${pods}/chatty/log?previous=true&tailLines=1&timestamps=true`)).text;
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 5\n$/);
    const lost = await t.http('GET', `${pods}/alpha/log?previous=true`);
    expect(lost.json).toMatchObject({ code: 400, message: 'previous terminated container "app" in pod "alpha" not found' });

    await t.http('POST', pods, { body: pod('follow', 'echo first; sleep 1; echo second; sleep 0.5; echo third', {}, { restartPolicy: 'Never' }) });
    await waitForApiPod(t.agent, 'default', 'follow', isRunning);
    const started = Date.now();
    const followed = await t.http('GET', `${pods}/follow/log?follow=true`);
    expect(followed.text).toBe('first\nsecond\nthird\n');
    expect(Date.now() - started).toBeGreaterThan(800);
  });

  it('updates labels and images by merge, strategic merge and JSON patch, and refuses other changes', async () => {
    const merge = await t.http('PATCH', `${pods}/alpha`, { body: { metadata: { labels: { tier: 'middle', added: 'yes' } } }, contentType: 'application/merge-patch+json' });
    expect(merge.status).toBe(200);
    expect(merge.json.metadata.labels).toEqual({ app: 'alpha', tier: 'middle', added: 'yes' });
    const jp = await t.http('PATCH', `${pods}/alpha`, { body: [{ op: 'remove', path: '/metadata/labels/added' }], contentType: 'application/json-patch+json' });
    expect(jp.json.metadata.labels).toEqual({ app: 'alpha', tier: 'middle' });

    const before = t.agent.kubelet.getPod('default', 'alpha')!;
    const smp = await t.http('PATCH', `${pods}/alpha`, {
      body: { spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] }, metadata: { annotations: { note: 'new image' } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(smp.status).toBe(200);
    expect(smp.json.spec.containers[0].image).toBe('busybox:1.36');
    expect(smp.json.spec.containers[0].command).toEqual(before.spec!.containers[0]!.command);
    const restarted = await waitForApiPod(t.agent, 'default', 'alpha', (p) => p?.status?.containerStatuses?.[0]?.restartCount === 1 && isRunning(p));
    expect(restarted!.status!.containerStatuses![0]!.image).toContain('busybox:1.36');
    const reasons = t.agent.kubelet.events.forPod('default', 'alpha').map((e) => e.message);
    expect(reasons).toContain('Container app definition changed, will be restarted');

    const current = (await t.http('GET', `${pods}/alpha`)).json;
    const forbidden = await t.http('PUT', `${pods}/alpha`, { body: { ...current, spec: { ...current.spec, restartPolicy: 'Never' } } });
    expect(forbidden.status).toBe(422);
    expect(forbidden.json.details.causes[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' });
    expect(forbidden.json.message).toContain('Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
    const stale = await t.http('PUT', `${pods}/alpha`, { body: { ...current, metadata: { ...current.metadata, resourceVersion: '1' } } });
    expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict' });
    const put = await t.http('PUT', `${pods}/alpha`, { body: { ...current, metadata: { ...current.metadata, labels: { app: 'alpha' } } } });
    expect(put.status).toBe(200);
    expect(put.json.metadata.labels).toEqual({ app: 'alpha' });
  });

  it('lets pods/status set readiness-gate conditions only', async () => {
    await t.http('POST', pods, { body: pod('gated', 'sleep 3600', {}, { readinessGates: [{ conditionType: 'example.com/ready' }] }) });
    await waitForApiPod(t.agent, 'default', 'gated', isRunning);
    const ready = (p: any) => p?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
    expect(ready(t.agent.kubelet.getPod('default', 'gated'))).toBe('False');
    const res = await t.http('PATCH', `${pods}/gated/status`, {
      body: { status: { conditions: [{ type: 'example.com/ready', status: 'True' }, { type: 'Ready', status: 'False' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(res.status).toBe(200);
    expect(ready(res.json)).toBe('True');
  });

  it('deletes a pod that already Succeeded at once, whatever the grace period (CheckGracefulDelete)', async () => {
    expect((await t.http('POST', pods, { body: pod('done', 'exit 0', {}, { restartPolicy: 'Never', terminationGracePeriodSeconds: 30 }) })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'done', (p) => p?.status?.phase === 'Succeeded');
    const del = await t.http('DELETE', `${pods}/done`);
    expect(del.status).toBe(200);
    expect((await t.http('GET', `${pods}/done`)).status).toBe(404);
  });
});

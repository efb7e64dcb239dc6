// The generic registry (issue 13): ConfigMaps, Secrets, Services, Endpoints and EndpointSlices
// through the HTTP API of a real agent, with the API server's behaviour for every verb, and their
// durability across an agent restart.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../src/agent/agent.js';
import { objectsDir } from '../src/store/objectStore.js';
import { startTestAgent, type TestAgent } from './helpers/agent.js';

let t: TestAgent;
beforeAll(async () => {
  t = await startTestAgent({ podNetwork: false });
});
afterAll(async () => {
  await t?.stop();
});

const cm = (name: string, data: Record<string, string>, extra: object = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data });

describe('ConfigMaps', () => {
  it('are created, read, listed, patched, replaced and deleted as the API server does', async () => {
    const created = await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm('app-config', { mode: 'fast' }) });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'app-config', namespace: 'default' }, data: { mode: 'fast' } });
    expect(created.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(created.json).slice(0, 2)).toEqual(['kind', 'apiVersion']);
    expect((await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm('app-config', {}) })).json).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "app-config" already exists' });

    const got = await t.http('GET', '/api/v1/namespaces/default/configmaps/app-config');
    expect(got.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    const list = await t.http('GET', '/api/v1/configmaps');
    expect(list.json.kind).toBe('ConfigMapList');
    expect(list.json.items.map((i: any) => i.metadata.name)).toContain('app-config');

    const patched = await t.http('PATCH', '/api/v1/namespaces/default/configmaps/app-config', { body: { data: { extra: '1' }, metadata: { labels: { app: 'x' } } }, contentType: 'application/strategic-merge-patch+json' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.data).toEqual({ mode: 'fast', extra: '1' });
    expect(Number(patched.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.json.metadata.resourceVersion));
    // The same patch again changes nothing: no new resourceVersion.
    const again = await t.http('PATCH', '/api/v1/namespaces/default/configmaps/app-config', { body: { data: { extra: '1' } }, contentType: 'application/merge-patch+json' });
    expect(again.json.metadata.resourceVersion).toBe(patched.json.metadata.resourceVersion);

    const stale = await t.http('PUT', '/api/v1/namespaces/default/configmaps/app-config', { body: { ...cm('app-config', {}), metadata: { name: 'app-config', resourceVersion: created.json.metadata.resourceVersion } } });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');

    const byLabel = await t.http('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx');
    expect(byLabel.json.items).toHaveLength(1);
    const byField = await t.http('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dnope');
    expect(byField.json.items).toHaveLength(0);

    const table = await t.http('GET', '/api/v1/namespaces/default/configmaps', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.json.rows[0].cells.slice(0, 2)).toEqual(['app-config', 2]);

    const dry = await t.http('DELETE', '/api/v1/namespaces/default/configmaps/app-config?dryRun=All');
    expect(dry.status).toBe(200);
    expect((await t.http('GET', '/api/v1/namespaces/default/configmaps/app-config')).status).toBe(200);
    const deleted = await t.http('DELETE', '/api/v1/namespaces/default/configmaps/app-config');
    expect(deleted.status).toBe(200);
    expect((await t.http('GET', '/api/v1/namespaces/default/configmaps/app-config')).json).toMatchObject({ code: 404, message: 'configmaps "app-config" not found' });
  });

  it('refuses invalid ones with the field named, and takes generateName', async () => {
    const bad = await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm('Bad_Name', { 'bad key!': 'x' }) });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toContain('metadata.name: Invalid value: "Bad_Name"');
    expect(bad.json.message).toContain('data[bad key!]');
    const gen = await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: { kind: 'ConfigMap', metadata: { generateName: 'gen-' } } });
    expect(gen.status).toBe(201);
    expect(gen.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect((await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: '{"kind":' })).status).toBe(400);
    expect((await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: { kind: 'Secret', metadata: { name: 'x' } } })).status).toBe(400);
  });

  it('are watched from a list resourceVersion', async () => {
    const list = await t.http('GET', '/api/v1/namespaces/default/configmaps');
    const rv = list.json.metadata.resourceVersion;
    await t.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm('watched', { a: '1' }) });
    await t.http('DELETE', '/api/v1/namespaces/default/configmaps/watched');
    const watch = await t.http('GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=-1`);
    const events = watch.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED watched', 'DELETED watched']);
    expect(events[0].object.kind).toBe('ConfigMap');
  });
});

describe('Secrets', () => {
  it('fold stringData into data, are stored with mode 0600, and print their type', async () => {
    const r = await t.http('POST', '/api/v1/namespaces/default/secrets', { body: { kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 's3cret' } } });
    expect(r.status, r.text).toBe(201);
    expect(r.json.data).toEqual({ password: Buffer.from('s3cret').toString('base64') });
    expect(r.json.type).toBe('Opaque');
    expect(r.json.stringData).toBeUndefined();
    const dir = join(objectsDir(t.config.stateDir), 'secrets');
    for (const f of (await import('node:fs')).readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const table = await t.http('GET', '/api/v1/namespaces/default/secrets/db', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.rows[0].cells.slice(0, 3)).toEqual(['db', 'Opaque', 1]);
    const typed = await t.http('GET', '/api/v1/secrets?fieldSelector=type%3DOpaque');
    expect(typed.json.items.map((s: any) => s.metadata.name)).toContain('db');
    const tls = await t.http('POST', '/api/v1/namespaces/default/secrets', { body: { kind: 'Secret', metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: {} } });
    expect(tls.status).toBe(422);
    expect(tls.json.message).toContain('tls.crt');
  });
});

describe('Services', () => {
  it('get a cluster IP from the service CIDR and node ports from the range, given back on delete', async () => {
    const body = { kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } };
    const r = await t.http('POST', '/api/v1/namespaces/default/services', { body });
    expect(r.status, r.text).toBe(201);
    const spec = r.json.spec;
    expect(spec.clusterIP.startsWith(t.config.serviceCIDR.split('.').slice(0, 3).join('.'))).toBe(true);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports[0]).toMatchObject({ protocol: 'TCP', port: 80, targetPort: 'http' });
    const { min, max } = t.config.serviceNodePortRange;
    expect(spec.ports[0].nodePort).toBeGreaterThanOrEqual(min);
    expect(spec.ports[0].nodePort).toBeLessThanOrEqual(max);
    expect(spec.sessionAffinity).toBe('None');
    // Another Service asking for the same node port is refused with the API server's words.
    const clash = await t.http('POST', '/api/v1/namespaces/default/services', { body: { ...body, metadata: { name: 'web2' }, spec: { ...body.spec, ports: [{ port: 80, nodePort: spec.ports[0].nodePort }] } } });
    expect(clash.status).toBe(422);
    expect(clash.json.message).toContain('provided port is already allocated');
    // A PUT without clusterIP keeps it; changing it is refused.
    const kept = await t.http('PUT', '/api/v1/namespaces/default/services/web', { body: { ...body, spec: { ...body.spec, ports: [{ port: 80, targetPort: 8080 }] } } });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.json.spec.clusterIP).toBe(spec.clusterIP);
    expect(kept.json.spec.ports[0].nodePort).toBe(spec.ports[0].nodePort);
    const moved = await t.http('PATCH', '/api/v1/namespaces/default/services/web', { body: { spec: { clusterIP: '10.251.0.77', clusterIPs: ['10.251.0.77'] } }, contentType: 'application/merge-patch+json' });
    expect(moved.status).toBe(422);
    const table = await t.http('GET', '/api/v1/namespaces/default/services/web', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.json.rows[0].cells.slice(0, 5)).toEqual(['web', 'NodePort', spec.clusterIP, '<none>', `80:${spec.ports[0].nodePort}/TCP`]);
    expect((await t.http('DELETE', '/api/v1/namespaces/default/services/web')).status).toBe(200);
    // The port is free again.
    const reuse = await t.http('POST', '/api/v1/namespaces/default/services', { body: { ...body, metadata: { name: 'web3' }, spec: { ...body.spec, ports: [{ port: 80, nodePort: spec.ports[0].nodePort }] } } });
    expect(reuse.status, reuse.text).toBe(201);
    await t.http('DELETE', '/api/v1/namespaces/default/services/web3');
  });

  it('include `kubernetes` in default and `kube-dns` in kube-system, labelled for cluster-info', async () => {
    const api = await t.http('GET', '/api/v1/namespaces/default/services/kubernetes');
    expect(api.json.spec.ports[0]).toMatchObject({ name: 'https', port: 443 });
    const ep = await t.http('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    expect(ep.json.subsets[0].ports[0].port).toBe(t.agent.server.tcpAddress!.port);
    const sys = await t.http('GET', '/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue');
    expect(sys.json.items.map((s: any) => s.metadata.name)).toEqual(['kube-dns']);
  });

  it('are served in discovery, EndpointSlices under discovery.k8s.io/v1', async () => {
    const core = await t.http('GET', '/api/v1');
    const names = core.json.resources.map((r: any) => r.name);
    for (const n of ['configmaps', 'secrets', 'services', 'services/status', 'endpoints', 'pods']) expect(names).toContain(n);
    expect(core.json.resources.find((r: any) => r.name === 'services').shortNames).toEqual(['svc']);
    const groups = await t.http('GET', '/apis');
    expect(groups.json.groups.map((g: any) => g.name)).toContain('discovery.k8s.io');
    const dv = await t.http('GET', '/apis/discovery.k8s.io/v1');
    expect(dv.json.resources[0]).toMatchObject({ name: 'endpointslices', kind: 'EndpointSlice', namespaced: true });
    const slices = await t.http('GET', '/apis/discovery.k8s.io/v1/endpointslices');
    expect(slices.status).toBe(200);
    expect(slices.json.kind).toBe('EndpointSliceList');
    expect(slices.json.apiVersion).toBe('discovery.k8s.io/v1');
  });
});

describe('the object store', () => {
  it('keeps objects, their versions and allocations across an agent restart', async () => {
    const own = await startTestAgent({ podNetwork: false });
    let config = own.config;
    try {
      const svc = await own.http('POST', '/api/v1/namespaces/default/services', { body: { kind: 'Service', metadata: { name: 'keep' }, spec: { ports: [{ port: 80 }] } } });
      const c = await own.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm('keep', { a: 'b' }) });
      await own.agent.stop({ keepPods: true });
      const again = await Agent.start(config);
      try {
        const cm2 = again.objects.get('configmaps', 'default', 'keep');
        expect(cm2?.metadata?.resourceVersion).toBe(c.json.metadata.resourceVersion);
        expect(Number(again.kubelet.resourceVersion)).toBeGreaterThan(Number(c.json.metadata.resourceVersion));
        // The cluster IP is still held: a Service asking for it is refused.
        const ip = svc.json.spec.clusterIP;
        expect(again.registry.serviceAllocations.ips.claim(ip)).toBe('taken');
      } finally {
        await again.stop({ keepPods: false, gracePeriodSeconds: 0 });
      }
    } finally {
      config = own.config;
      const { rmSync } = await import('node:fs');
      rmSync(config.stateDir, { recursive: true, force: true });
    }
  });
});

// apply/create/get/delete of the served kinds besides Pods (ConfigMaps, Secrets, Services, Endpoints,
// EndpointSlices) with the tinylet CLI against a real agent: kubectl's lines, paths and tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startTestAgent, type TestAgent } from './helpers/agent.js';
import { writeTestFile } from './helpers/testKubelet.js';

const APP = (opts: { mode: string; extra?: boolean; password: string; port: number }) => `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  mode: ${opts.mode}
${opts.extra ? '  extra: "1"\n' : ''}---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: ${opts.password}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: ${opts.port}, targetPort: 8080}]
`;

const MANUAL = `apiVersion: v1
kind: Service
metadata: {name: manual, labels: {set: manual}}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: manual, labels: {set: manual}}
subsets: [{addresses: [{ip: 10.9.0.5}], ports: [{port: 80}]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual-1, labels: {set: manual, kubernetes.io/service-name: manual}}
addressType: IPv4
endpoints: [{addresses: [10.9.0.5]}]
ports: [{port: 80, protocol: TCP}]
`;

let t: TestAgent;
let dir: string;
const file = (name: string, text: string) => writeTestFile(dir, name, text);
const lines = (text: string) => text.split('\n');
const json = async (args: string[]) => {
  const r = await cli(t, [...args, '-o', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  t = await startTestAgent({ podNetwork: false });
  dir = mkdtempSync(join(tmpdir(), 'tinylet-cli-objects-'));
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tinylet apply -f: ConfigMap, Secret and Service', () => {
  it('creates them, in file order, with kubectl\'s lines', async () => {
    const f = file('app.yaml', APP({ mode: 'a', extra: true, password: 's3cret', port: 80 }));
    const r = await cli(t, ['apply', '-f', f]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap/settings created\nsecret/creds created\nservice/web created');
    expect(r.stderr).toBe('');
  });

  it('get svc prints the server-side table with kubectl\'s header; -o wide adds the selector, -A the namespace', async () => {
    const r = await cli(t, ['get', 'svc']);
    expect(r.exitCode, r.stderr).toBe(0);
    // The agent's own `kubernetes` Service comes first, as in a cluster.
    const [header, ...rows] = lines(r.stdout);
    expect(header).toMatch(/^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$/);
    expect(rows.map((l) => l.split(/ +/)[0])).toEqual(['kubernetes', 'web']);
    const row = rows[1]!;
    expect(row).toMatch(/^web +ClusterIP +\d+\.\d+\.\d+\.\d+ +<none> +80\/TCP +\d+s$/);
    // The columns line up: each header starts where its cells do (kubectl's tabwriter).
    expect(row.indexOf('ClusterIP')).toBe(header!.indexOf('TYPE'));
    const wide = lines((await cli(t, ['get', 'services', 'web', '-o', 'wide'])).stdout);
    expect(wide[0]).toMatch(/^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE +SELECTOR$/);
    expect(wide[1]).toMatch(/ app=web$/);
    const all = lines((await cli(t, ['get', 'service', '-A'])).stdout);
    expect(all[0]).toMatch(/^NAMESPACE +NAME +TYPE +CLUSTER-IP /);
    expect(all.filter((l) => /^default +web /.test(l))).toHaveLength(1);
    expect((await cli(t, ['get', 'svc', '-o', 'name'])).stdout).toBe('service/kubernetes\nservice/web');
  });

  it('get cm and get secrets: DATA counts, the Secret\'s type; -o json has the Secret\'s stringData as data', async () => {
    const cm = lines((await cli(t, ['get', 'cm'])).stdout);
    expect(cm[0]).toMatch(/^NAME +DATA +AGE$/);
    expect(cm[1]).toMatch(/^settings +2 +\d+s$/);
    const secrets = lines((await cli(t, ['get', 'secrets', 'creds'])).stdout);
    expect(secrets[0]).toMatch(/^NAME +TYPE +DATA +AGE$/);
    expect(secrets[1]).toMatch(/^creds +Opaque +1 +\d+s$/);
    const secret = await json(['get', 'secret/creds']);
    expect([secret.kind, secret.apiVersion, secret.data, secret.stringData]).toEqual(['Secret', 'v1', { password: Buffer.from('s3cret').toString('base64') }, undefined]);
    const list = await json(['get', 'configmaps']);
    expect([list.kind, list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`)]).toEqual(['List', ['ConfigMap/settings']]);
  });

  it('apply of the same file again: unchanged, and nothing is written', async () => {
    const before = await json(['get', 'svc', 'web']);
    const r = await cli(t, ['apply', '-f', join(dir, 'app.yaml')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap/settings unchanged\nsecret/creds unchanged\nservice/web unchanged');
    expect((await json(['get', 'svc', 'web'])).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('apply of the changed file: configured; removed keys go, the cluster IP stays', async () => {
    const before = await json(['get', 'svc', 'web']);
    const f = file('app.yaml', APP({ mode: 'b', password: 'n3w', port: 81 }));
    const r = await cli(t, ['apply', '-f', f]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap/settings configured\nsecret/creds configured\nservice/web configured');
    expect((await json(['get', 'cm', 'settings'])).data).toEqual({ mode: 'b' });
    expect((await json(['get', 'secret', 'creds'])).data).toEqual({ password: Buffer.from('n3w').toString('base64') });
    const svc = await json(['get', 'svc', 'web']);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 81, targetPort: 8080, protocol: 'TCP' })]);
    expect(svc.spec.clusterIP).toBe(before.spec.clusterIP);
    expect(lines((await cli(t, ['get', 'svc', 'web'])).stdout)[1]).toMatch(/ 81\/TCP /);
    const again = await cli(t, ['apply', '-f', f]);
    expect(again.stdout).toBe('configmap/settings unchanged\nsecret/creds unchanged\nservice/web unchanged');
  });

  it('delete -f removes them, in file order', async () => {
    const r = await cli(t, ['delete', '-f', join(dir, 'app.yaml')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap "settings" deleted\nsecret "creds" deleted\nservice "web" deleted');
    const gone = await cli(t, ['get', 'svc', 'web']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): services "web" not found');
    const none = await cli(t, ['get', 'cm']);
    expect([none.stdout, none.stderr]).toEqual(['', 'No resources found in default namespace.']);
  });
});

describe('tinylet create/get/delete: Endpoints and EndpointSlices, by name and selector', () => {
  it('create -f sends each kind to its path (discovery.k8s.io/v1 for EndpointSlices)', async () => {
    const r = await cli(t, ['create', '-f', file('manual.yaml', MANUAL)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('service/manual created\nendpoints/manual created\nendpointslice.discovery.k8s.io/manual-1 created');
    const again = await cli(t, ['create', '-f', join(dir, 'manual.yaml')]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
  });

  it('get ep and get endpointslices print their tables; -o name names the group', async () => {
    const ep = lines((await cli(t, ['get', 'ep', 'manual'])).stdout);
    expect(ep[0]).toMatch(/^NAME +ENDPOINTS +AGE$/);
    expect(ep[1]).toMatch(/^manual +10\.9\.0\.5:80 +\d+s$/);
    // The Endpoints' labels are mirrored into their own slice too (the Service has no selector): pick ours.
    const slices = lines((await cli(t, ['get', 'endpointslices', '-l', 'set=manual,endpointslice.kubernetes.io/managed-by!=endpointslicemirroring-controller.k8s.io'])).stdout);
    expect(slices[0]).toMatch(/^NAME +ADDRESSTYPE +PORTS +ENDPOINTS +AGE$/);
    expect(slices[1]).toMatch(/^manual-1 +IPv4 +80 +10\.9\.0\.5 +\d+s$/);
    expect((await cli(t, ['get', 'endpointslice', 'manual-1', '-o', 'name'])).stdout).toBe('endpointslice.discovery.k8s.io/manual-1');
    expect((await json(['get', 'endpointslices.discovery.k8s.io', 'manual-1'])).apiVersion).toBe('discovery.k8s.io/v1');
  });

  it('delete by name and by selector', async () => {
    const ep = await cli(t, ['delete', 'ep', 'manual']);
    expect([ep.exitCode, ep.stdout]).toEqual([0, 'endpoints "manual" deleted']);
    const slices = await cli(t, ['delete', 'endpointslices', '-l', 'set=manual']);
    expect([slices.exitCode, slices.stdout]).toEqual([0, 'endpointslice.discovery.k8s.io "manual-1" deleted']);
    const svc = await cli(t, ['delete', 'svc/manual']);
    expect([svc.exitCode, svc.stdout]).toEqual([0, 'service "manual" deleted']);
    const missing = await cli(t, ['delete', 'svc', 'manual']);
    expect([missing.exitCode, missing.stderr]).toEqual([1, 'Error from server (NotFound): services "manual" not found']);
  });
});

describe('what is refused', () => {
  it('the server\'s validation of a Service, with its field', async () => {
    const r = await cli(t, ['apply', '-f', file('bad.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {selector: {app: x}}\n')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The Service "bad" is invalid: spec.ports: Required value');
  });

  it('a served kind in another apiVersion: nothing is sent, the field is named', async () => {
    const f = file('wrong.yaml', 'apiVersion: apps/v1\nkind: ConfigMap\nmetadata: {name: wrong}\n');
    const r = await cli(t, ['create', '-f', f]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`error: nothing was created: tinylet does not serve these objects:\n  * ${f}#1 (ConfigMap wrong): apiVersion: Unsupported value: "apps/v1": supported values: "v1"`);
    expect((await cli(t, ['get', 'cm', 'wrong'])).exitCode).toBe(1);
  });

  it('Events are not deleted, nor the built-in namespaces; unknown resource types are named', async () => {
    expect((await cli(t, ['delete', 'ns', 'default'])).stderr).toBe('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');
    expect((await cli(t, ['get', 'deployments'])).stderr).toBe('error: the server doesn\'t have a resource type "deployments"');
    expect((await cli(t, ['get', 'endpointslices.apps'])).stderr).toBe('error: the server doesn\'t have a resource type "endpointslices.apps"');
  });
});

// Server-side apply, managedFields and dryRun over HTTP, against the API server's rules. The
// expected managedFields are written out from structured-merge-diff's encoding (f:/k:/v:/`.`),
// not taken from tinylet's output: a create (an Update) owns what it added to the kind's zero
// object, `.` marking maps and list elements that were absent before; an apply owns exactly the
// configuration's leaves and list elements.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldSet, pathString } from '../src/server/apply/fieldSet.js';
import { startTestAgent, type HttpResult, type TestAgent } from './helpers/agent.js';

const APPLY = 'application/apply-patch+yaml';
const cms = '/api/v1/namespaces/default/configmaps';
const pods = '/api/v1/namespaces/default/pods';

/** A request with headers of our choosing (the User-Agent a manager is named after). */
function raw(t: TestAgent, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest({ socketPath: t.socket, path, method, headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}), ...headers } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, text, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const fieldsOf = (o: any, manager: string, operation = 'Apply') => o.metadata.managedFields?.find((m: any) => m.manager === manager && m.operation === operation)?.fieldsV1;

describe('field sets in the FieldsV1 encoding', () => {
  it('reads and writes `.`, leaves and keys, and prints paths as fieldpath does', () => {
    const doc = { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a/b"': {} } }, 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } };
    const set = FieldSet.fromFieldsV1(doc);
    expect(set.toFieldsV1()).toEqual(doc);
    expect(set.members().map(pathString)).toEqual(['.metadata.finalizers', '.metadata.finalizers[="a/b"]', '.spec.ports[port=80,protocol="TCP"]', '.spec.ports[port=80,protocol="TCP"].port']);
    expect(set.difference(FieldSet.fromFieldsV1({ 'f:spec': { 'f:ports': {} } })).toFieldsV1()).toEqual(doc);
    expect(set.recursiveDifference(FieldSet.fromFieldsV1({ 'f:spec': { 'f:ports': {} } })).toFieldsV1()).toEqual({ 'f:metadata': doc['f:metadata'] });
    expect(() => FieldSet.fromFieldsV1({ 'x:y': {} })).toThrow(/unknown path element/);
    expect(() => FieldSet.fromFieldsV1({ 'k:{not json': {} })).toThrow();
    expect(() => FieldSet.fromFieldsV1([])).toThrow();
  });
});

describe('server-side apply and managedFields', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => t?.stop());

  const apply = (path: string, body: unknown, query = 'fieldManager=tester') => t.http('PATCH', `${path}?${query}`, { body, contentType: APPLY });

  it('creates with an apply, owns exactly the applied fields, and a repeated apply changes nothing', async () => {
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa1', labels: { app: 'x' } }, data: { a: '1', b: '2' } };
    const created = await apply(`${cms}/ssa1`, config);
    expect(created.status).toBe(201);
    expect(created.json.data).toEqual({ a: '1', b: '2' });
    expect(created.json.metadata.managedFields).toEqual([
      { manager: 'tester', operation: 'Apply', apiVersion: 'v1', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
    ]);
    // A YAML body is the same apply; unchanged, it writes nothing: same resourceVersion, same entry.
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa1\n  labels:\n    app: x\ndata:\n  a: "1"\n  b: "2"\n';
    const again = await t.http('PATCH', `${cms}/ssa1?fieldManager=tester`, { body: yaml, contentType: APPLY });
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    expect(again.json.metadata.managedFields).toEqual(created.json.metadata.managedFields);
  });

  it('removes what the applier stopped applying, unless another manager owns it too', async () => {
    await apply(`${cms}/ssa2`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa2' }, data: { a: '1', b: '2', c: '3' } });
    // Another manager applies c as well: c is shared.
    expect((await apply(`${cms}/ssa2`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa2' }, data: { c: '3' } }, 'fieldManager=other')).status).toBe(200);
    const dropped = await apply(`${cms}/ssa2`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa2' }, data: { a: '1' } });
    expect(dropped.status).toBe(200);
    expect(dropped.json.data).toEqual({ a: '1', c: '3' });
    expect(fieldsOf(dropped.json, 'tester')).toEqual({ 'f:data': { 'f:a': {} } });
    expect(fieldsOf(dropped.json, 'other')).toEqual({ 'f:data': { 'f:c': {} } });
  });

  it('refuses a change to another manager’s field with the API server’s 409, and force moves it', async () => {
    const post = await t.http('POST', `${cms}?fieldManager=kubectl-client-side-apply`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa3', labels: { app: 'x' } }, data: { a: '1', b: '2' } } });
    expect(post.status).toBe(201);
    // A create is an Update: `.` marks labels and data, which the zero ConfigMap did not have.
    expect(post.json.metadata.managedFields).toEqual([
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: expect.any(String), fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } },
    ]);
    const one = await apply(`${cms}/ssa3`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa3' }, data: { a: 'changed' } });
    expect(one.status).toBe(409);
    expect(one.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.a' }] },
    });
    const two = await apply(`${cms}/ssa3`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa3' }, data: { a: 'changed', b: 'changed' } });
    expect(two.status).toBe(409);
    expect(two.json.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .data.a\n- .data.b');
    expect(two.json.details.causes.map((c: any) => c.field)).toEqual(['.data.a', '.data.b']);
    // The same value is no conflict: both own it.
    expect((await apply(`${cms}/ssa3`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa3' }, data: { b: '2' } })).status).toBe(200);
    expect((await t.http('GET', `${cms}/ssa3`)).json.data).toEqual({ a: '1', b: '2' });
    const forced = await apply(`${cms}/ssa3`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa3' }, data: { a: 'changed', b: '2' } }, 'fieldManager=tester&force=true');
    expect(forced.status).toBe(200);
    expect(forced.json.data).toEqual({ a: 'changed', b: '2' });
    expect(fieldsOf(forced.json, 'tester')).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    expect(fieldsOf(forced.json, 'kubectl-client-side-apply', 'Update')).toEqual({ 'f:data': { '.': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } });
  });

  it('keeps one Update entry per manager, named after the User-Agent when there is no fieldManager, and drops emptied ones', async () => {
    const ua = { 'User-Agent': 'kubectl-edit/v1.32.0 (linux/amd64) kubernetes/abc' };
    expect((await raw(t, 'POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa4' }, data: { a: '1' } }, ua)).status).toBe(201);
    const merge = (data: unknown, headers: Record<string, string>, q = '') => raw(t, 'PATCH', `${cms}/ssa4${q}`, { data }, { ...headers, 'Content-Type': 'application/merge-patch+json' });
    await merge({ b: '2' }, ua);
    const both = (await merge({ c: '3' }, ua)).json;
    expect(both.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl-edit', 'Update']]);
    expect(both.metadata.managedFields[0].fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {}, 'f:b': {}, 'f:c': {} } });
    // Another manager takes a and b; then it changes c too, leaving kubectl-edit only the data map itself.
    const taken = (await merge({ a: 'x', b: 'y', c: 'z' }, {}, '?fieldManager=other')).json;
    expect(taken.metadata.managedFields.map((m: any) => [m.manager, m.fieldsV1])).toEqual([
      ['kubectl-edit', { 'f:data': {} }],
      ['other', { 'f:data': { 'f:a': {}, 'f:b': {}, 'f:c': {} } }],
    ]);
    // Removing the whole data map removes every owner's claim to it: kubectl-edit's entry goes.
    const gone = (await merge(null, {}, '?fieldManager=other')).json;
    expect(gone.data).toBeUndefined();
    expect(gone.metadata.managedFields).toBeUndefined();
  });

  it('keeps at most 10 Update entries, merging the oldest into ancient-changes', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    expect((await t.http('POST', `${cms}?fieldManager=m00`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-cap' }, data: { k00: 'v' } } })).status).toBe(201);
    let last: any;
    for (const n of names.slice(1)) {
      last = await t.http('PATCH', `${cms}/ssa-cap?fieldManager=${n}`, { body: { data: { [`k${n.slice(1)}`]: 'v' } }, contentType: 'application/merge-patch+json' });
      expect(last.status).toBe(200);
    }
    const entries = last.json.metadata.managedFields;
    expect(entries).toHaveLength(10);
    const ancient = entries.find((m: any) => m.manager === 'ancient-changes');
    expect(ancient).toMatchObject({ operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { '.': {}, 'f:k00': {}, 'f:k01': {} } } });
    expect(entries.map((m: any) => m.manager).filter((m: string) => m !== 'ancient-changes').sort()).toEqual(names.slice(2));
  });

  it('gives a Pod’s creator the defaulted fields, keys list elements, and leaves status and the binding unowned', async () => {
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mf-pod', labels: { app: 'mf' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '30'], ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] } };
    const created = await t.http('POST', `${pods}?fieldManager=kubectl-create&dryRun=All`, { body });
    expect(created.status).toBe(201);
    expect(created.json.spec.nodeName).toBe(t.config.nodeName);
    expect(created.json.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: expect.any(String),
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"app"}': {
                '.': {},
                'f:command': {},
                'f:env': { '.': {}, 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
                'f:image': {},
                'f:imagePullPolicy': {},
                'f:name': {},
                'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                'f:resources': {},
                'f:terminationMessagePath': {},
                'f:terminationMessagePolicy': {},
              },
            },
            'f:dnsPolicy': {},
            'f:enableServiceLinks': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        },
      },
    ]);
    // A dry run: nothing stored, nothing reached the kubelet.
    expect((await t.http('GET', `${pods}/mf-pod`)).status).toBe(404);
    expect(t.agent.kubelet.getWorker('default', 'mf-pod')).toBeUndefined();
  });

  it('applies a Pod: dry-run creates nothing, the real one runs, and an applied label change reaches the kubelet', async () => {
    const config = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa-pod', labels: { app: 'ssa' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '30'], ports: [{ containerPort: 8080 }] }] } };
    const dry = await apply(`${pods}/ssa-pod`, config, 'fieldManager=tester&dryRun=All');
    expect(dry.status).toBe(201);
    expect(dry.json.metadata.uid).toBeTruthy();
    expect((await t.http('GET', `${pods}/ssa-pod`)).status).toBe(404);
    expect(t.agent.kubelet.getWorker('default', 'ssa-pod')).toBeUndefined();

    const created = await apply(`${pods}/ssa-pod`, config);
    expect(created.status).toBe(201);
    expect(fieldsOf(created.json, 'tester')).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:command': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } },
        'f:terminationGracePeriodSeconds': {},
      },
    });
    expect(t.agent.kubelet.getWorker('default', 'ssa-pod')).toBeDefined();
    const relabelled = await apply(`${pods}/ssa-pod`, { ...config, metadata: { name: 'ssa-pod', labels: { tier: 'web' } } });
    expect(relabelled.status).toBe(200);
    expect(relabelled.json.metadata.labels).toEqual({ tier: 'web' });
    const got = (await t.http('GET', `${pods}/ssa-pod`)).json;
    expect(got.metadata.labels).toEqual({ tier: 'web' });
    expect(fieldsOf(got, 'tester')['f:metadata']).toEqual({ 'f:labels': { 'f:tier': {} } });
    // A change validation refuses is the usual 422, and a dry-run delete leaves the pod running.
    const image = await apply(`${pods}/ssa-pod`, { ...config, spec: { ...config.spec, restartPolicy: 'Never' } });
    expect(image.status).toBe(422);
    expect((await t.http('DELETE', `${pods}/ssa-pod?dryRun=All`)).status).toBe(200);
    expect(t.agent.kubelet.getWorker('default', 'ssa-pod')?.deleting).toBeFalsy();
    expect((await t.http('DELETE', `${pods}/ssa-pod?gracePeriodSeconds=0`)).status).toBe(200);
  });

  it('applies a Service: ports keyed by port and protocol, allocations kept, a repeated apply a no-op', async () => {
    const svcs = '/api/v1/namespaces/default/services';
    const config = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ssa-svc' }, spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }] } };
    const created = await apply(`${svcs}/ssa-svc`, config);
    expect(created.status).toBe(201);
    expect(created.json.spec.clusterIP).toMatch(/^10\./);
    expect(fieldsOf(created.json, 'tester')).toEqual({
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:selector': {} },
    });
    const again = await apply(`${svcs}/ssa-svc`, config);
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    expect(again.json.spec.clusterIP).toBe(created.json.spec.clusterIP);
    // A second port is a second element; the first keeps its targetPort default.
    const two = await apply(`${svcs}/ssa-svc`, { ...config, spec: { ...config.spec, ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] } });
    expect(two.status).toBe(200);
    expect(two.json.spec.ports).toEqual([
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 80 },
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
    ]);
    expect(Object.keys(fieldsOf(two.json, 'tester')['f:spec']['f:ports'])).toEqual(['k:{"port":53,"protocol":"UDP"}', 'k:{"port":80,"protocol":"TCP"}']);
    expect((await t.http('DELETE', `${svcs}/ssa-svc`)).status).toBe(200);
  });

  it('answers bad options and bad configurations as the API server does', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa5' }, data: { a: '1' } };
    const noManager = await t.http('PATCH', `${cms}/ssa5`, { body: cm, contentType: APPLY });
    expect(noManager.status).toBe(422);
    expect(noManager.json).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    });
    const unsupported = 'Unsupported value: []string{"Yes"}: supported values: "All"';
    const post = await t.http('POST', `${cms}?dryRun=Yes`, { body: cm });
    expect(post.status).toBe(422);
    expect(post.json.message).toBe(`CreateOptions.meta.k8s.io "" is invalid: dryRun: ${unsupported}`);
    expect((await t.http('GET', `${cms}/ssa5`)).status).toBe(404);
    expect((await t.http('POST', cms, { body: cm })).status).toBe(201);
    expect((await t.http('PUT', `${cms}/ssa5?dryRun=Yes`, { body: cm })).json.message).toBe(`UpdateOptions.meta.k8s.io "" is invalid: dryRun: ${unsupported}`);
    expect((await t.http('PATCH', `${cms}/ssa5?dryRun=Yes`, { body: { data: { b: '2' } }, contentType: 'application/merge-patch+json' })).json.message).toBe(`PatchOptions.meta.k8s.io "" is invalid: dryRun: ${unsupported}`);
    expect((await t.http('DELETE', `${cms}/ssa5?dryRun=Yes`)).json.message).toBe(`DeleteOptions.meta.k8s.io "" is invalid: dryRun: ${unsupported}`);
    expect((await t.http('PATCH', `${cms}/ssa5?force=true`, { body: { data: { b: '2' } }, contentType: 'application/merge-patch+json' })).json.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    // Dry runs of every write leave the object as it is.
    const before = (await t.http('GET', `${cms}/ssa5`)).json;
    expect((await t.http('PATCH', `${cms}/ssa5?dryRun=All`, { body: { data: { b: '2' } }, contentType: 'application/merge-patch+json' })).json.data).toEqual({ a: '1', b: '2' });
    expect((await apply(`${cms}/ssa5`, { ...cm, data: { z: '9' } }, 'fieldManager=tester&dryRun=All')).json.data).toEqual({ a: '1', z: '9' });
    expect((await t.http('PUT', `${cms}/ssa5?dryRun=All`, { body: { ...cm, data: { q: '1' } } })).json.data).toEqual({ q: '1' });
    expect((await t.http('DELETE', `${cms}/ssa5?dryRun=All`)).status).toBe(200);
    expect((await t.http('GET', `${cms}/ssa5`)).json).toEqual(before);

    const wrongVersion = await apply(`${cms}/ssa5`, { ...cm, apiVersion: 'v2' });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.json.message).toBe('Incorrect version specified in apply patch. Specified patch version: v2, expected: v1');
    expect((await t.http('PATCH', `${cms}/ssa5?fieldManager=x`, { body: '- not\n- an object\n', contentType: APPLY })).status).toBe(400);
    expect((await t.http('PATCH', `${cms}/ssa5?fieldManager=x`, { body: 'a: [b', contentType: APPLY })).status).toBe(400);
    expect((await apply(`${cms}/ssa5`, { ...cm, metadata: { name: 'other' } })).status).toBe(400);
    const noKey = await apply(`${pods}/nokey`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nokey' }, spec: { containers: [{ image: 'busybox' }] } });
    expect(noKey.status).toBe(400);
    expect(noKey.json.message).toBe('failed to create typed patch object (v1, Kind=Pod): .spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)');
    const twice = await apply(`${cms}/ssa5`, { ...cm, metadata: { name: 'ssa5', finalizers: ['a/b', 'a/b'] } });
    expect(twice.status).toBe(400);
    expect(twice.json.message).toContain('.metadata.finalizers: duplicate entries for key "a/b"');
    const badManaged = await t.http('PUT', `${cms}/ssa5`, { body: { ...before, metadata: { ...before.metadata, managedFields: [{ manager: 7 }] }, data: { a: '2' } } });
    // Unreadable managedFields from a client are ignored for the stored ones, as the API server does.
    expect(badManaged.status).toBe(200);
    expect(badManaged.json.metadata.managedFields).toEqual((await t.http('GET', `${cms}/ssa5`)).json.metadata.managedFields);
    expect(badManaged.json.metadata.managedFields.length).toBeGreaterThan(0);
    // `[{}]` clears them: only this write's own change is left, owned by its manager.
    const cleared = await t.http('PUT', `${cms}/ssa5?fieldManager=resetter`, { body: { ...badManaged.json, metadata: { ...badManaged.json.metadata, managedFields: [{}] }, data: { a: '3' } } });
    expect(cleared.status).toBe(200);
    expect(cleared.json.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'resetter', operation: 'Update', fieldsV1: { 'f:data': { 'f:a': {} } } })]);
  });
});

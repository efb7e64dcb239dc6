// The OpenAPI documents (server/openapi.ts): the served kinds' real schemas, filtered from
// kubernetes-types by scripts/gen-openapi.mjs, as v2 JSON, v2 protobuf (kubectl 1.20) and v3 per
// group version (kubectl 1.32); `kubectl explain` on both prints the API's field descriptions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDefinitions, openApiV2Protobuf } from '../src/server/openapi.js';
import { KUBERNETES_VERSION } from '../src/server/version.js';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { KUBECTL_VERSIONS, writeKubeconfig } from './helpers/kubectl.js';


/** A GET over the socket with the given headers; the body as bytes. */
function raw(t: TestAgent, path: string, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: t.socket, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('OpenAPI definitions', () => {
  it('are what scripts/gen-openapi.mjs makes of kubernetes-types', () => {
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'gen-openapi.mjs'), '--check']);
  });

  it('hold the served kinds and what they reference, nothing else', () => {
    const defs = openApiDefinitions();
    const kinds = Object.entries(defs).flatMap(([, s]) => (s['x-kubernetes-group-version-kind'] ?? []).map((g: any) => `${g.group}/${g.version}/${g.kind}`));
    for (const k of ['/v1/Pod', '/v1/Service', '/v1/Endpoints', '/v1/ConfigMap', '/v1/Secret', '/v1/Event', '/v1/Namespace', '/v1/Node', 'discovery.k8s.io/v1/EndpointSlice', 'coordination.k8s.io/v1/Lease', 'policy/v1/PodDisruptionBudget', 'policy/v1/Eviction', 'authorization.k8s.io/v1/SelfSubjectAccessReview']) {
      expect(kinds).toContain(k);
    }
    expect(Object.keys(defs).some((n) => n.startsWith('io.k8s.api.apps.') || n.startsWith('io.k8s.api.batch.'))).toBe(false);
    // Every $ref resolves.
    const refs = JSON.stringify(defs).match(/#\/definitions\/[\w.-]+/g)!;
    for (const r of refs) expect(defs[r.slice('#/definitions/'.length)], r).toBeDefined();
    const container = defs['io.k8s.api.core.v1.Container']!;
    expect(container.required).toEqual(['name']);
    expect(container.properties.env).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(container.properties.image.description).toMatch(/^Container image name\./);
    // Newer than kubernetes-types 1.30, accepted by tinylet.
    expect(container.properties.restartPolicyRules).toBeDefined();
    expect(defs['io.k8s.api.core.v1.Lifecycle']!.properties.stopSignal).toBeDefined();
    expect(defs['io.k8s.api.core.v1.ServicePort']!.properties.targetPort).toEqual(expect.objectContaining({ $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }));
  });

  it('encodes as gnostic protobuf', () => {
    const pb = openApiV2Protobuf();
    expect(pb.subarray(0, 5)).toEqual(Buffer.from([0x0a, 0x03, 0x32, 0x2e, 0x30]));
    expect(pb.includes(Buffer.from('io.k8s.api.core.v1.PodSpec'))).toBe(true);
    expect(pb.includes(Buffer.from('x-kubernetes-group-version-kind'))).toBe(true);
  });
});

describe('OpenAPI over HTTP', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => t?.stop());

  it('serves v2 as JSON and protobuf, gzipped when asked', async () => {
    const json = await t.http('GET', '/openapi/v2');
    expect(json.status).toBe(200);
    expect(json.json.info).toEqual({ title: 'Kubernetes', version: KUBERNETES_VERSION });
    expect(Object.keys(json.json.definitions)).toContain('io.k8s.api.core.v1.Pod');
    const pb = await raw(t, '/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'Accept-Encoding': 'gzip' });
    expect(pb.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(pb.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(pb.raw)).toEqual(openApiV2Protobuf());
    expect(pb.raw.length).toBeLessThan(120_000);
  });

  it('serves the v3 index and one document per group version', async () => {
    const index = (await t.http('GET', '/openapi/v3')).json;
    expect(Object.keys(index.paths).sort()).toEqual(['api/v1', 'apis/authorization.k8s.io/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/policy/v1']);
    const url = index.paths['apis/policy/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/policy\/v1\?hash=[0-9A-F]{128}$/);
    const doc = await t.http('GET', url);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    const schemas = doc.json.components.schemas;
    expect(Object.keys(schemas)).toContain('io.k8s.api.policy.v1.PodDisruptionBudget');
    expect(Object.keys(schemas)).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(Object.keys(schemas)).not.toContain('io.k8s.api.core.v1.Service');
    expect(schemas['io.k8s.api.policy.v1.PodDisruptionBudget'].properties.spec).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.api.policy.v1.PodDisruptionBudgetSpec' }] });
    expect((await t.http('GET', '/openapi/v3/apis/apps/v1')).status).toBe(404);
  });
});

describe.each(KUBECTL_VERSIONS)('kubectl $version explain', ({ bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[]) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-openapi-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('explains pods, their containers, services and configmaps', async () => {
    const pod = await kubectl(['explain', 'pod']);
    expect(pod.stderr).toBe('');
    expect(pod.stdout).toMatch(/KIND:\s+Pod/);
    expect(pod.stdout).toContain('Pod is a collection of containers that can run on a host.');
    expect(pod.stdout).toMatch(/spec\s+<(Object|PodSpec)>/);
    const containers = await kubectl(['explain', 'pod.spec.containers']);
    expect(containers.stderr).toBe('');
    expect(containers.stdout).toMatch(/(FIELD|RESOURCE):\s+containers\s+<\[\](Container|Object)>/);
    expect(containers.stdout).toContain('A single application container that you want to run within a pod.');
    expect(containers.stdout).toMatch(/name\s+<string> -required-/);
    const svc = await kubectl(['explain', 'svc.spec']);
    expect(svc.stderr).toBe('');
    expect(svc.stdout).toContain('ServiceSpec describes the attributes that a user creates on a service.');
    expect(svc.stdout).toMatch(/ports\s+<\[\]Object>|ports\s+<\[\]ServicePort>/);
    const cm = await kubectl(['explain', 'configmap']);
    expect(cm.stderr).toBe('');
    expect(cm.stdout).toContain('ConfigMap holds configuration data for pods to consume.');
    const portField = await kubectl(['explain', 'svc.spec.ports.targetPort']);
    expect(portField.stdout).toMatch(/targetPort\s+<(string|IntOrString)>/);
  });

  it.skipIf(!present)('explains nodes and pdbs where discovery lists them', async () => {
    const node = await kubectl(['explain', 'node']);
    if (node.exitCode === 0) expect(node.stdout).toContain('Node is a worker node in Kubernetes.');
    else expect(node.stderr).toMatch(/doesn't have a resource type "node"/);
    const pdb = await kubectl(['explain', 'pdb']);
    if (pdb.exitCode === 0) expect(pdb.stdout).toContain('PodDisruptionBudget is an object to define the max disruption');
    else expect(pdb.stderr).toMatch(/doesn't have a resource type "pdb"/);
  });

  it.skipIf(!present)('validates manifests client-side against the schemas', async () => {
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: "1"\n');
    const created = await kubectl(['create', '-f', ok]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('configmap/ok created');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  portz:\n  - port: 80\n');
    const refused = await kubectl(['create', '-f', bad]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/portz/);
  });
});

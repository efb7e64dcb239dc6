// `kubectl apply --server-side`, `kubectl diff` and `--dry-run=server` with the stock kubectl
// against a real agent: apply creates, re-applies without a new resourceVersion, removes what the
// file no longer has, reports another manager's fields as a conflict until --force-conflicts, takes
// over an object `kubectl apply` (client-side) made, and diff exits 1 with changes, 0 without.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { processesMatching } from './helpers/leaks.js';
import { KUBECTL_VERSIONS as VERSIONS, writeKubeconfig } from './helpers/kubectl.js';

const cmYaml = (name: string, data: Record<string, string>) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}
`;

const podYaml = (name: string, marker: string, labels: Record<string, string>) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sleep, "${marker}"]
`;

describe.each(VERSIONS)('stock kubectl $version: server-side apply and diff', ({ version, bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[], timeout = 60_000) => execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir, KUBECTL_EXTERNAL_DIFF: 'diff -u' }, timeout });
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cm = async (name: string) => (await t.http('GET', `/api/v1/namespaces/default/configmaps/${name}`)).json;

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-apply-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('creates, re-applies without a change, removes dropped keys, and hides managedFields', async () => {
    const f = file('cm.yaml', cmYaml('ssa', { a: '1', b: '2' }));
    const created = await kubectl(['apply', '--server-side', '-f', f]);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('configmap/ssa serverside-applied');
    const first = await cm('ssa');
    expect(first.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } })]);
    expect((await kubectl(['apply', '--server-side', '-f', f])).exitCode).toBe(0);
    expect((await cm('ssa')).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    writeFileSync(f, cmYaml('ssa', { a: '1' }));
    expect((await kubectl(['apply', '--server-side', '-f', f])).exitCode).toBe(0);
    expect((await cm('ssa')).data).toEqual({ a: '1' });
    const yaml = (await kubectl(['get', 'configmap', 'ssa', '-o', 'yaml'])).stdout;
    // kubectl 1.21+ leaves managedFields out unless asked; 1.20 prints them.
    if (version !== '1.20') {
      expect(yaml).not.toContain('managedFields');
      expect((await kubectl(['get', 'configmap', 'ssa', '-o', 'yaml', '--show-managed-fields'])).stdout).toContain('manager: kubectl');
    } else {
      expect(yaml).toContain('manager: kubectl');
    }
  });

  it.skipIf(!present)('reports another manager’s field as a conflict, and --force-conflicts takes it', async () => {
    const f = file('conflict.yaml', cmYaml('owned', { a: '1' }));
    expect((await kubectl(['apply', '--server-side', '--field-manager', 'team-a', '-f', f])).exitCode).toBe(0);
    writeFileSync(f, cmYaml('owned', { a: '2' }));
    const refused = await kubectl(['apply', '--server-side', '--field-manager', 'team-b', '-f', f]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "team-a": .data.a');
    expect((await cm('owned')).data).toEqual({ a: '1' });
    const forced = await kubectl(['apply', '--server-side', '--field-manager', 'team-b', '--force-conflicts', '-f', f]);
    expect(forced.exitCode).toBe(0);
    const after = await cm('owned');
    expect(after.data).toEqual({ a: '2' });
    expect(after.metadata.managedFields.map((m: any) => m.manager)).toEqual(['team-b']);
  });

  it.skipIf(!present)('takes over an object made by client-side kubectl apply', async () => {
    const f = file('csa.yaml', cmYaml('csa', { a: '1', b: '2' }));
    expect((await kubectl(['apply', '-f', f])).exitCode).toBe(0);
    const before = await cm('csa');
    expect(before.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"a":"1"');
    expect(before.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl-client-side-apply', 'Update']]);
    writeFileSync(f, cmYaml('csa', { a: '3' }));
    const ssa = await kubectl(['apply', '--server-side', '-f', f]);
    expect(ssa.stderr).toBe('');
    expect(ssa.exitCode).toBe(0);
    const after = await cm('csa');
    // kubectl 1.26+ first moves client-side apply's fields to its server-side manager (csaupgrade),
    // so the apply removes b. Older kubectl does not: b stays, owned by kubectl-client-side-apply,
    // while a changes without a conflict because the last-applied annotation lists it (the API
    // server's lastAppliedManager), the same as in a cluster.
    expect(after.data).toEqual(version === '1.20' ? { a: '3', b: '2' } : { a: '3' });
    // The annotation follows the server-side apply, so a later client-side apply still computes the right patch.
    expect(JSON.parse(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data).toEqual({ a: '3' });
    expect(after.metadata.managedFields.find((m: any) => m.manager === 'kubectl')).toMatchObject({ operation: 'Apply' });
    writeFileSync(f, cmYaml('csa', { a: '4' }));
    expect((await kubectl(['apply', '-f', f])).exitCode).toBe(0);
    expect((await cm('csa')).data).toEqual(version === '1.20' ? { a: '4', b: '2' } : { a: '4' });
  });

  it.skipIf(!present)('diff exits 1 with the change shown, 0 without; server dry runs leave nothing behind', async () => {
    const marker = `diff-${version}-${process.pid}`;
    const f = file('pod.yaml', podYaml('diffpod', marker, { app: 'one' }));
    const dry = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', f]);
    expect(dry.stdout.trim()).toBe('pod/diffpod serverside-applied (server dry run)');
    const dryCsa = await kubectl(['apply', '--dry-run=server', '-f', f]);
    expect(dryCsa.stdout.trim()).toBe('pod/diffpod created (server dry run)');
    expect((await t.http('GET', '/api/v1/namespaces/default/pods/diffpod')).status).toBe(404);
    expect(await processesMatching(marker)).toEqual([]);

    const absent = await kubectl(['diff', '-f', f]);
    expect(absent.exitCode).toBe(1);
    expect(absent.stdout).toContain('+  name: diffpod');
    expect((await t.http('GET', '/api/v1/namespaces/default/pods/diffpod')).status).toBe(404);

    expect((await kubectl(['apply', '-f', f])).exitCode).toBe(0);
    const same = await kubectl(['diff', '-f', f]);
    expect(same.stderr).toBe('');
    expect(same.exitCode).toBe(0);
    writeFileSync(f, podYaml('diffpod', marker, { app: 'two' }));
    const changed = await kubectl(['diff', '-f', f]);
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toMatch(/-\s+app: one/);
    expect(changed.stdout).toMatch(/\+\s+app: two/);
    // kubectl 1.21+ leaves managedFields out of the diff; 1.20 shows their change too.
    if (version !== '1.20') expect(changed.stdout).not.toContain('managedFields');
    // Nothing was changed by the diffs.
    expect((await t.http('GET', '/api/v1/namespaces/default/pods/diffpod')).json.metadata.labels).toEqual({ app: 'one' });
    if (version !== '1.20') {
      const ssaDiff = await kubectl(['diff', '--server-side', '-f', f]);
      expect(ssaDiff.exitCode).toBe(1);
      expect(ssaDiff.stdout).toMatch(/\+\s+app: two/);
    }
    expect((await kubectl(['delete', 'pod', 'diffpod', '--grace-period=0', '--force'])).exitCode).toBe(0);
  });
});

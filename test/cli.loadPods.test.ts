// loadPods (`tinylet run`'s input): the pods, and the file's other served objects in input order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPods } from '../src/cli/loadPods.js';
import { writeTestFile } from './helpers/testKubelet.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-loadpods-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';
const SECRET = 'apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {p: x}\n';
const SVC = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n';
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: c, image: busybox}]}\n';

describe('loadPods', () => {
  it('returns the pods and, as written and in input order, the Services, ConfigMaps and Secrets', async () => {
    const f = writeTestFile(dir, 'app.yaml', [SVC, POD, CM, SECRET].join('---\n'));
    const loaded = await loadPods(f);
    expect(loaded.pods.map((p) => p.metadata?.name)).toEqual(['web']);
    expect(loaded.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/web', 'ConfigMap/settings', 'Secret/creds']);
    expect(loaded.objects[2]).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { p: 'x' } });
    expect(loaded.warnings).toEqual([]);
  });

  it('a pod-only file has no objects', async () => {
    expect((await loadPods(writeTestFile(dir, 'pod.yaml', POD))).objects).toEqual([]);
  });

  it('no Pod found, even with served objects', async () => {
    const f = writeTestFile(dir, 'cm.yaml', CM);
    await expect(loadPods(f)).rejects.toThrow(`no Pod found in ${f}`);
  });

  it('a served object in another apiVersion makes the file invalid, with the field', async () => {
    const f = writeTestFile(dir, 'bad.yaml', `${POD}---\n${CM.replace('apiVersion: v1', 'apiVersion: apps/v1')}`);
    await expect(loadPods(f)).rejects.toThrow(`error: ${f} is invalid:\n  * ${f}#2 (ConfigMap settings): apiVersion: Unsupported value: "apps/v1": supported values: "v1"`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError, parseManifests, readManifestPaths, readManifestSource } from '../src/api/manifest.js';

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers: [{name: c, image: busybox}]
`;

describe('parseManifests', () => {
  it('reads one YAML document', () => {
    expect(parseManifests(POD_YAML, 'pod.yaml')).toEqual([
      { index: 0, source: 'pod.yaml', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    ]);
  });

  it('reads several documents and skips empty ones', () => {
    const text = `---\n# just a comment\n---\n${POD_YAML}---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n...\n`;
    const docs = parseManifests(text, 'all.yaml');
    expect(docs.map((d) => [d.index, d.object.kind, d.object.metadata.name])).toEqual([
      [0, 'Pod', 'a'],
      [1, 'Service', 's'],
    ]);
  });

  it('reads JSON, alone or as a document among YAML ones', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] } }, null, '\t');
    expect(parseManifests(json, 'pod.json')[0]!.object.spec.containers[0].ports[0].containerPort).toBe(80);
    const docs = parseManifests(`${json}\n---\n${POD_YAML}`, 'mixed');
    expect(docs.map((d) => d.object.metadata.name)).toEqual(['j', 'a']);
  });

  it('returns nothing for an empty or comment-only text', () => {
    expect(parseManifests('', 'empty.yaml')).toEqual([]);
    expect(parseManifests('# nothing\n---\n', 'empty.yaml')).toEqual([]);
  });

  it('expands kind: List and <Kind>List items', () => {
    const list = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: x}}
- apiVersion: v1
  kind: PodList
  items: [{apiVersion: v1, kind: Pod, metadata: {name: z}}]
`;
    const docs = parseManifests(`${POD_YAML}---\n${list}`, 'list.yaml');
    expect(docs.map((d) => [d.index, d.object.metadata.name])).toEqual([
      [0, 'a'],
      [1, 'x'],
      [2, 'z'],
    ]);
  });

  it('reads scalars as kubectl does (YAML 1.1 numbers and booleans, timestamps as strings)', () => {
    const [doc] = parseManifests('mode: 0644\nflag: yes\nport: "8080"\nwhen: 2024-01-02T03:04:05Z\ntime: 1:20\n', 'x.yaml');
    expect(doc!.object).toEqual({ mode: 420, flag: true, port: '8080', when: '2024-01-02T03:04:05Z', time: '1:20' });
  });

  it('throws a ManifestError naming the source and the line to fix on a syntax error', () => {
    const bad = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: x\n';
    expect(() => parseManifests(bad, 'bad.yaml')).toThrow(ManifestError);
    try {
      parseManifests(bad, 'bad.yaml');
    } catch (err) {
      const e = err as ManifestError;
      expect(e.source).toBe('bad.yaml');
      // The parser notices on line 4 (the value `a`); the over-indented line 5 is the one to fix.
      expect(e.line).toBe(5);
      expect(e.reason).toBe('Nested mappings are not allowed in compact mappings');
      expect(e.message.split('\n')[0]).toBe('bad.yaml:5:4: Nested mappings are not allowed in compact mappings');
    }
  });

  it('rejects duplicate keys, as kubectl does', () => {
    expect(() => parseManifests('a: 1\nb: 2\na: 3\n', 'dup.yaml')).toThrow(/^dup\.yaml:3:1: Map keys must be unique\n/);
  });

  it('reports errors in a later document with that document line', () => {
    expect(() => parseManifests(`${POD_YAML}---\nkind: [Pod\n`, 'two.yaml')).toThrow(/^two\.yaml:(8|9):/);
  });
});

describe('reading files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinylet-manifest-'));
    writeFileSync(join(dir, 'b.yaml'), POD_YAML);
    writeFileSync(join(dir, 'a.json'), '{"kind": "Pod"}');
    writeFileSync(join(dir, 'c.yml'), 'kind: Service\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    mkdirSync(join(dir, 'sub.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file with its path as source', async () => {
    const file = join(dir, 'b.yaml');
    expect(await readManifestSource(file)).toEqual({ text: POD_YAML, source: file });
  });

  it('reads the manifests of a directory in name order', async () => {
    const sources = await readManifestPaths(dir);
    expect(sources.map((s) => s.source)).toEqual([join(dir, 'a.json'), join(dir, 'b.yaml'), join(dir, 'c.yml')]);
  });

  it('reads a single file through readManifestPaths too', async () => {
    expect((await readManifestPaths(join(dir, 'c.yml'))).map((s) => s.text)).toEqual(['kind: Service\n']);
  });

  it('names a missing file', async () => {
    await expect(readManifestSource(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: no such file or directory$/);
    await expect(readManifestPaths(join(dir, 'nope'))).rejects.toThrow(ManifestError);
  });
});

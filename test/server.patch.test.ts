import { describe, expect, it } from 'vitest';
import { defaultPod } from '../src/api/defaults.js';
import type { Pod } from '../src/api/types.js';
import { validatePodUpdate } from '../src/api/validatePodUpdate.js';
import { jsonMergePatch } from '../src/server/patch/jsonMerge.js';
import { jsonPatch } from '../src/server/patch/jsonPatch.js';
import { strategicMergePatch } from '../src/server/patch/strategicMerge.js';
import { threeWayMergePatch } from '../src/cli/apply.js';

const pod = (): Pod =>
  defaultPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: '1', b: '2' } },
    spec: {
      containers: [
        { name: 'web', image: 'nginx', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] },
        { name: 'side', image: 'busybox' },
      ],
    },
  });

describe('patches', () => {
  it('strategic merge merges containers by name and env by name, and honours directives', () => {
    const out = strategicMergePatch(pod(), {
      metadata: { labels: { b: null, c: '3' } },
      spec: {
        containers: [{ name: 'side', image: 'busybox:1.36' }, { name: 'web', env: [{ name: 'Y', value: '2' }] }],
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
      },
    }) as Pod;
    expect(out.metadata!.labels).toEqual({ a: '1', c: '3' });
    expect(out.spec!.containers.map((c) => [c.name, c.image])).toEqual([['web', 'nginx'], ['side', 'busybox:1.36']]);
    expect(out.spec!.containers[0]!.env).toEqual([{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]);
    expect(out.spec!.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    const deleted = strategicMergePatch(pod(), { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }) as Pod;
    expect(deleted.spec!.containers.map((c) => c.name)).toEqual(['web']);
    const replaced = strategicMergePatch(pod(), { metadata: { labels: { $patch: 'replace', z: '9' } } }) as Pod;
    expect(replaced.metadata!.labels).toEqual({ z: '9' });
  });

  it('JSON merge patch replaces lists; JSON patch applies operations in order', () => {
    const merged = jsonMergePatch(pod(), { spec: { containers: [{ name: 'only', image: 'x' }] }, metadata: { labels: { a: null } } }) as Pod;
    expect(merged.spec!.containers).toEqual([{ name: 'only', image: 'x' }]);
    expect(merged.metadata!.labels).toEqual({ b: '2' });
    const patched = jsonPatch(pod(), [
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' },
      { op: 'add', path: '/metadata/labels/new', value: 'v' },
      { op: 'test', path: '/metadata/labels/a', value: '1' },
    ]) as Pod;
    expect(patched.spec!.containers[0]!.image).toBe('nginx:1.27');
    expect(patched.metadata!.labels!.new).toBe('v');
    expect(() => jsonPatch(pod(), [{ op: 'test', path: '/metadata/labels/a', value: 'nope' }])).toThrow(/test operation failed/);
  });

  it('apply\'s three-way patch keeps fields set by others and removes what the file no longer has', () => {
    const lastApplied = { metadata: { labels: { app: 'x', old: 'y' } }, spec: { containers: [{ name: 'c', image: 'a' }] } };
    const file = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'b' }] } };
    const live = { metadata: { labels: { app: 'x', old: 'y', byOthers: 'z' } }, spec: { containers: [{ name: 'c', image: 'a', imagePullPolicy: 'Always' }] } };
    expect(threeWayMergePatch(lastApplied, file, live)).toEqual({ metadata: { labels: { old: null } }, spec: { containers: [{ name: 'c', image: 'b' }] } });
    expect(threeWayMergePatch(file, file, { ...live, spec: { containers: [{ name: 'c', image: 'b', imagePullPolicy: 'Always' }] }, metadata: { labels: { app: 'x' } } })).toEqual({});
  });
});

describe('pod updates', () => {
  it('allows labels, images and a shorter activeDeadlineSeconds', () => {
    const old = pod();
    old.spec!.activeDeadlineSeconds = 60;
    const next = structuredClone(old);
    next.metadata!.labels = { new: 'yes' };
    next.spec!.containers[0]!.image = 'nginx:1.27';
    next.spec!.activeDeadlineSeconds = 30;
    expect(validatePodUpdate(next, old)).toEqual([]);
    next.spec!.activeDeadlineSeconds = 90;
    expect(validatePodUpdate(next, old).map((e) => `${e.path}: ${e.message}`)).toEqual(['spec.activeDeadlineSeconds: Invalid value: 90: must be less than or equal to previous value']);
  });

  it('refuses any other spec change with the API server\'s Forbidden message', () => {
    const old = pod();
    const next = structuredClone(old);
    next.spec!.containers[1]!.command = ['sh'];
    const [err] = validatePodUpdate(next, old);
    expect(err!.path).toBe('spec');
    expect(err!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    expect(err!.message).toContain('spec.containers[1].command');
    const renamed = structuredClone(old);
    renamed.metadata!.name = 'q';
    expect(validatePodUpdate(renamed, old)[0]).toMatchObject({ path: 'metadata.name' });
  });
});

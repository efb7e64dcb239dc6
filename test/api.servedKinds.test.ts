// Multi-kind inputs: Pods, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets go on (the
// non-Pods past validation as written), other kinds are refused (or skipped with lenient) with what
// tinylet serves and the nearest thing it can do; --as-pod runs a workload's pod template as a Pod.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import { parseManifests } from '../src/api/manifest.js';
import { attributeFindings, planKinds } from '../src/api/servedKinds.js';
import { validateObjects } from '../src/api/validate.js';
import { podFromWorkload, podTemplatePath } from '../src/api/workloadAsPod.js';

// init-pod.yaml from the pod-lifecycle notes (kept as users paste it): a Pod and a NodePort Service.
const INIT_POD = readFileSync(join(import.meta.dirname, 'examples', 'init-pod.yaml'), 'utf8');

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {tier: front}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {note: kept}}
    spec:
      containers:
      - {name: web, image: nginx}
`;

const plan = (text: string, opts = {}) => planKinds(parseManifests(text, 'f.yaml'), opts);
const texts = (errors: Parameters<typeof formatFieldErrors>[0]) => formatFieldErrors(errors);

const S = 'tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets';
const CLAIM_POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: db}\nspec:\n  containers: [{name: db, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]\n  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n';
const CLAIM = 'kind: PersistentVolumeClaim\nmetadata: {name: data}\n';

describe('planKinds: what is served', () => {
  it('Pods, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets go on, in input order', () => {
    const kinds = [
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['v1', 'Service'],
      ['v1', 'Endpoints'],
      ['discovery.k8s.io/v1', 'EndpointSlice'],
      ['v1', 'Pod'],
    ];
    const p = plan(kinds.map(([v, k]) => `apiVersion: ${v}\nkind: ${k}\nmetadata: {name: x}\n`).join('---\n'));
    expect(p.docs.map((d) => [d.index, d.object.kind])).toEqual(kinds.map(([, k], i) => [i, k]));
    expect(p.refused).toEqual([]);
    expect(p.skipped).toEqual([]);
  });

  it('init-pod.yaml: its Pod and its NodePort Service both go on', () => {
    const p = planKinds(parseManifests(INIT_POD, 'init-pod.yaml'));
    expect(p.docs.map((d) => d.object.kind)).toEqual(['Pod', 'Service']);
    expect(p.refused).toEqual([]);
  });

  it('Events are listed by the API, not created from a file; Namespaces are created', () => {
    const p = plan('kind: Event\nmetadata: {name: e}\n---\nkind: Namespace\nmetadata: {name: n}\n');
    expect(p.docs.map((d) => (d.object as any).kind)).toEqual(['Namespace']);
    expect(texts(p.refused).map((m) => m.split(': ')[1])).toEqual([`kind "Event" is not served yet (${S})`]);
  });
});

describe('validateObjects: the served kinds other than Pod', () => {
  const validate = (text: string) => validateObjects(parseManifests(text, 'f.yaml'));

  it('passes them through unvalidated (the server validates them), in input order, beside the pods', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';
    // Not a valid Service (no ports): the server says so at create; the Pod validator never sees it.
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n';
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox}]}\n';
    const r = validate(`${svc}---\n${pod}---\n${cm}`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.pods.map((p) => p.metadata?.name)).toEqual(['p']);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/web', 'ConfigMap/settings']);
    // As written: no defaults.
    expect(r.objects[1]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
  });

  it('checks the apiVersion, naming the field', () => {
    const r = validate('kind: Service\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: EndpointSlice\nmetadata: {name: c}\naddressType: IPv4\n');
    expect(texts(r.errors)).toEqual([
      'f.yaml#1 (Service a): apiVersion: Required value: Service is served in v1',
      'f.yaml#2 (ConfigMap b): apiVersion: Unsupported value: "apps/v1": supported values: "v1"',
      'f.yaml#3 (EndpointSlice c): apiVersion: Unsupported value: "v1": supported values: "discovery.k8s.io/v1"',
    ]);
    expect(r.objects).toEqual([]);
  });

  it('refuses the same object twice in one input, by kind, namespace and name', () => {
    const cm = (ns = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x${ns ? `, namespace: ${ns}` : ''}}\n`;
    const r = validate(`${cm()}---\n${cm('default')}---\n${cm('other')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n`);
    expect(texts(r.errors)).toEqual(['f.yaml#2 (ConfigMap x): metadata.name: duplicate ConfigMap "default/x" (already defined by f.yaml#1)']);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual(['ConfigMap//x', 'ConfigMap/other/x', 'Secret//x']);
  });
});

describe('planKinds: what is not served', () => {
  it('refuses a kind it does not serve by default, saying what tinylet serves, what it means for the pod, and --lenient', () => {
    const p = plan(`${CLAIM_POD}---\n${CLAIM}`);
    expect(p.docs.map((d) => d.object.kind)).toEqual(['Pod']);
    expect(texts(p.refused)).toEqual([
      `f.yaml#2 (PersistentVolumeClaim data): kind "PersistentVolumeClaim" is not served yet (${S}): pod db uses it (spec.volumes[0].persistentVolumeClaim) and cannot mount it; --lenient skips it`,
    ]);
    expect(p.skipped).toEqual([]);
  });

  it('skips it with lenient, and the warning does not tell to use --lenient', () => {
    const p = plan(`${CLAIM_POD}---\n${CLAIM}`, { lenient: true });
    expect(p.refused).toEqual([]);
    expect(texts(p.skipped)).toEqual([
      `f.yaml#2 (PersistentVolumeClaim data): skipped: kind "PersistentVolumeClaim" is not served yet (${S}): pod db uses it (spec.volumes[0].persistentVolumeClaim) and cannot mount it`,
    ]);
    expect(texts(p.skipped).join()).not.toMatch(/lenient/);
  });

  it('offers --as-pod for each workload kind, with the template path of its kind', () => {
    const kinds = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
    const text = kinds.map((k) => `kind: ${k}\nmetadata: {name: w}\n`).join('---\n');
    const msgs = texts(plan(text).refused);
    expect(msgs[0]).toBe(`f.yaml#1 (Deployment w): kind "Deployment" is not served yet (${S}): --as-pod runs its spec.template as pod w; --lenient skips it`);
    expect(msgs[4]).toMatch(/\(Job w\): .*--as-pod runs its spec\.template as pod w; --lenient skips it$/);
    expect(msgs[5]).toMatch(/\(CronJob w\): .*--as-pod runs its spec\.jobTemplate\.spec\.template as pod w; --lenient skips it$/);
    expect(texts(plan(text, { lenient: true }).skipped)[0]).toBe(`f.yaml#1 (Deployment w): skipped: kind "Deployment" is not served yet (${S}): --as-pod runs its spec.template as pod w`);
  });

  it('a PodDisruptionBudget changes nothing here, and says for which pods', () => {
    const msgs = texts(plan(`${DEPLOYMENT}---\nkind: PodDisruptionBudget\nmetadata: {name: pdb, namespace: shop}\nspec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n`, { asPod: true }).refused);
    expect(msgs).toEqual([
      `f.yaml#2 (PodDisruptionBudget pdb): kind "PodDisruptionBudget" is not served yet (${S}): it only limits evictions (kubectl drain), and the agent serves it to kubectl (kubectl apply -f), not to the tinylet commands: pod web runs the same without it; --lenient skips it`,
    ]);
  });

  it('passes on what validation must refuse anyway (no kind, not a mapping)', () => {
    const p = plan('metadata: {name: x}\n---\n- a\n');
    expect(p.docs).toHaveLength(2);
    expect(p.refused).toEqual([]);
  });
});

describe('--as-pod', () => {
  it('makes the Pod its controller would: named after the workload, template labels and annotations, its namespace', () => {
    const made = podFromWorkload(parseManifests(DEPLOYMENT, 'd.yaml')[0]!.object)!;
    expect(made.pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { note: 'kept' } },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
    });
    expect(made.note).toBe('Deployment web: runs its spec.template as pod web (one pod, not 3 replicas; no rollout, and nothing recreates it once deleted)');
  });

  it('reads a CronJob through its jobTemplate and says it runs once', () => {
    const cron = 'kind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: job, image: busybox}]\n';
    const made = podFromWorkload(parseManifests(cron, 'c.yaml')[0]!.object)!;
    expect(made.pod.spec.restartPolicy).toBe('OnFailure');
    expect(made.note).toBe('CronJob nightly: runs its spec.jobTemplate.spec.template as pod nightly (it runs once now, not on its schedule "0 3 * * *")');
  });

  it('gives a StatefulSet\'s volumeClaimTemplates as emptyDir volumes, so its mounts resolve', () => {
    const sts = 'kind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers: [{name: db, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]\n  volumeClaimTemplates: [{metadata: {name: data}}]\n';
    const made = podFromWorkload(parseManifests(sts, 's.yaml')[0]!.object)!;
    expect(made.pod.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(made.note).toMatch(/its volumeClaimTemplates become emptyDir volumes\)$/);
    expect(validateObjects([{ index: 0, source: 's.yaml', object: made.pod }]).errors).toEqual([]);
  });

  it('knows which kinds have a pod template', () => {
    expect(podTemplatePath('Job')).toBe('spec.template');
    expect(podTemplatePath('Service')).toBeUndefined();
    expect(podFromWorkload({ kind: 'Service', metadata: { name: 's' } })).toBeUndefined();
  });

  it('in a plan: the workload goes on as its Pod, a Service as written, other kinds are still refused', () => {
    const svc = 'kind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n';
    const pdb = 'kind: PodDisruptionBudget\nmetadata: {name: pdb, namespace: shop}\nspec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n';
    const p = plan(`${DEPLOYMENT}---\n${svc}---\n${pdb}`, { asPod: true });
    expect(p.docs.map((d) => [d.index, d.object.kind, d.object.metadata.name])).toEqual([
      [0, 'Pod', 'web'],
      [1, 'Service', 'web'],
    ]);
    expect(p.notes).toHaveLength(1);
    // The budget now covers the pod --as-pod makes.
    expect(texts(p.refused)).toEqual([expect.stringMatching(/^f\.yaml#3 \(PodDisruptionBudget pdb\): .*: pod web runs the same without it; --lenient skips it$/)]);
  });

  it('a workload without a template is refused with the missing field', () => {
    expect(texts(plan('kind: Job\nmetadata: {name: j}\nspec: {}\n', { asPod: true }).refused)).toEqual([
      `f.yaml#1 (Job j): kind "Job" is not served yet (${S}): spec.template: Required value: --as-pod needs a pod template; --lenient skips it`,
    ]);
  });

  it('validation findings in the template point at the workload\'s own fields', () => {
    const bad = 'kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web}]\n';
    const p = plan(bad, { asPod: true });
    const found = attributeFindings(validateObjects(p.docs).errors, p, 1);
    expect(texts(found)).toEqual(['f.yaml#1 (Deployment web): spec.template.spec.containers[0].image: Required value']);
  });

  it('a pod left alone among skipped objects is still named in its findings', () => {
    const p = plan(`${CLAIM_POD.replace('image: busybox', 'image: ""')}---\n${CLAIM}`, { lenient: true });
    const found = attributeFindings(validateObjects(p.docs).errors, p, 2);
    expect(texts(found)[0]).toMatch(/^f\.yaml#1 \(Pod db\): spec\.containers\[0\]\.image: Required value/);
  });
});

// Multi-kind inputs: Pods go on, other kinds are refused (or skipped with lenient) with what tinylet
// serves and the nearest thing it can do; --as-pod runs a workload's pod template as a Pod.
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

describe('planKinds: what is not served', () => {
  it('refuses a Service by default, saying what tinylet serves, what it means for the pod, and --lenient', () => {
    const p = planKinds(parseManifests(INIT_POD, 'init-pod.yaml'));
    expect(p.docs.map((d) => d.object.kind)).toEqual(['Pod']);
    expect(texts(p.refused)).toEqual([
      'init-pod.yaml#2 (Service init-demo): kind "Service" is not served yet (tinylet serves Pods): "init-demo" gets no cluster IP, DNS name or node port; pod init-pod (app=init-pod) is reachable on its own IP, port 80; --lenient skips it',
    ]);
    expect(p.skipped).toEqual([]);
  });

  it('skips it with lenient, and the warning does not tell to use --lenient', () => {
    const p = planKinds(parseManifests(INIT_POD, 'init-pod.yaml'), { lenient: true });
    expect(p.refused).toEqual([]);
    expect(texts(p.skipped)).toEqual([
      'init-pod.yaml#2 (Service init-demo): skipped: kind "Service" is not served yet (tinylet serves Pods): "init-demo" gets no cluster IP, DNS name or node port; pod init-pod (app=init-pod) is reachable on its own IP, port 80',
    ]);
    expect(texts(p.skipped).join()).not.toMatch(/lenient/);
  });

  it('offers --as-pod for each workload kind, with the template path of its kind', () => {
    const kinds = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
    const text = kinds.map((k) => `kind: ${k}\nmetadata: {name: w}\n`).join('---\n');
    const msgs = texts(plan(text).refused);
    expect(msgs[0]).toBe('f.yaml#1 (Deployment w): kind "Deployment" is not served yet (tinylet serves Pods): --as-pod runs its spec.template as pod w; --lenient skips it');
    expect(msgs[4]).toMatch(/\(Job w\): .*--as-pod runs its spec\.template as pod w; --lenient skips it$/);
    expect(msgs[5]).toMatch(/\(CronJob w\): .*--as-pod runs its spec\.jobTemplate\.spec\.template as pod w; --lenient skips it$/);
    expect(texts(plan(text, { lenient: true }).skipped)[0]).toBe('f.yaml#1 (Deployment w): skipped: kind "Deployment" is not served yet (tinylet serves Pods): --as-pod runs its spec.template as pod w');
  });

  it('a ConfigMap or Secret names the pods that read it', () => {
    const pod = `kind: Pod\nmetadata: {name: reader}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    envFrom: [{secretRef: {name: creds}}]\n    env: [{name: A, valueFrom: {configMapKeyRef: {name: settings, key: a}}}]\n  volumes: [{name: s, configMap: {name: settings}}]\n`;
    const msgs = texts(plan(`kind: ConfigMap\nmetadata: {name: settings}\n---\nkind: Secret\nmetadata: {name: creds}\n---\nkind: ConfigMap\nmetadata: {name: unused}\n---\n${pod}`).refused);
    expect(msgs).toEqual([
      'f.yaml#1 (ConfigMap settings): kind "ConfigMap" is not served yet (tinylet serves Pods): pod reader uses it (spec.volumes[0].configMap, spec.containers[0].env[0].valueFrom.configMapKeyRef) and will not get its data; --lenient skips it',
      'f.yaml#2 (Secret creds): kind "Secret" is not served yet (tinylet serves Pods): pod reader uses it (spec.containers[0].envFrom[0].secretRef) and will not get its data; --lenient skips it',
      'f.yaml#3 (ConfigMap unused): kind "ConfigMap" is not served yet (tinylet serves Pods): nothing in tinylet acts on it, and no pod in this input uses it; --lenient skips it',
    ]);
  });

  it('a Namespace: the pods in it run without it', () => {
    const msgs = texts(plan('kind: Namespace\nmetadata: {name: demo}\n---\nkind: Pod\nmetadata: {name: a, namespace: demo}\n---\nkind: Namespace\nmetadata: {name: empty}\n', { lenient: true }).skipped);
    expect(msgs[0]).toMatch(/: a namespace exists here from its first pod on, so pod a runs in "demo" without it$/);
    expect(msgs[1]).toMatch(/: a namespace exists here from its first pod on; no pod in this input is in "empty"$/);
  });

  it('a PodDisruptionBudget changes nothing here, and says for which pods', () => {
    const msgs = texts(plan(`${DEPLOYMENT}---\nkind: PodDisruptionBudget\nmetadata: {name: pdb, namespace: shop}\nspec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n`, { asPod: true }).refused);
    expect(msgs).toEqual([
      'f.yaml#2 (PodDisruptionBudget pdb): kind "PodDisruptionBudget" is not served yet (tinylet serves Pods): it only limits evictions by drains, which do not happen here: pod web runs the same without it; --lenient skips it',
    ]);
  });

  it('a Service with a named targetPort, or selecting nothing', () => {
    const pod = 'kind: Pod\nmetadata: {name: p, labels: {app: x}}\nspec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}\n';
    const named = texts(plan(`${pod}---\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: x}, ports: [{port: 80, targetPort: http}]}\n`).refused)[0];
    expect(named).toMatch(/pod p \(app=x\) is reachable on its own IP, port 8080; --lenient skips it$/);
    const none = texts(plan(`${pod}---\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: other}, ports: [{port: 80}]}\n`).refused)[0];
    expect(none).toMatch(/no pod in this input has its labels \(app=other\); --lenient skips it$/);
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

  it('in a plan: the workload goes on as its Pod, other kinds are still refused', () => {
    const p = plan(`${DEPLOYMENT}---\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n`, { asPod: true });
    expect(p.docs.map((d) => [d.index, d.object.kind, d.object.metadata.name])).toEqual([[0, 'Pod', 'web']]);
    expect(p.notes).toHaveLength(1);
    // The Service now selects the pod --as-pod makes.
    expect(texts(p.refused)[0]).toMatch(/pod web \(app=web\) is reachable on its own IP, port 80; --lenient skips it$/);
  });

  it('a workload without a template is refused with the missing field', () => {
    expect(texts(plan('kind: Job\nmetadata: {name: j}\nspec: {}\n', { asPod: true }).refused)).toEqual([
      'f.yaml#1 (Job j): kind "Job" is not served yet (tinylet serves Pods): spec.template: Required value: --as-pod needs a pod template; --lenient skips it',
    ]);
  });

  it('validation findings in the template point at the workload\'s own fields', () => {
    const bad = 'kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web}]\n';
    const p = plan(bad, { asPod: true });
    const found = attributeFindings(validateObjects(p.docs).errors, p, 1);
    expect(texts(found)).toEqual(['f.yaml#1 (Deployment web): spec.template.spec.containers[0].image: Required value']);
  });

  it('a pod left alone among skipped objects is still named in its findings', () => {
    const p = planKinds(parseManifests(INIT_POD.replace('image: nginx:latest', 'image: ""'), 'init-pod.yaml'), { lenient: true });
    const found = attributeFindings(validateObjects(p.docs).errors, p, 2);
    expect(texts(found)[0]).toMatch(/^init-pod\.yaml#1 \(Pod init-pod\): spec\.containers\[0\]\.image: Required value/);
  });
});

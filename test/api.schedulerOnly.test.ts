// Scheduler-only fields: accepted, lenient or not, with one note per field that on tinylet's
// single node they have no effect.
import { describe, expect, it } from 'vitest';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import { parseManifests } from '../src/api/manifest.js';
import { validateObjects } from '../src/api/validate.js';

const manifest = (spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: placed}
spec:
  containers: [{name: app, image: busybox}]
${spec}`;

function notes(spec: string, lenient = false) {
  const r = validateObjects(parseManifests(manifest(spec), 'pod.yaml'), { lenient });
  return { errors: formatFieldErrors(r.errors), warnings: formatFieldErrors(r.warnings), pods: r.pods.length };
}

describe('scheduler-only fields', () => {
  it('are accepted with one line each, however deep the field, with or without --lenient', () => {
    const spec = `  nodeSelector: {disktype: ssd, zone: a}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a, b]}]}]
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 1
        podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}
  tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}, {operator: Exists}]
  priorityClassName: high-priority
  preemptionPolicy: Never
  schedulerName: my-scheduler
  overhead: {cpu: 250m, memory: 120Mi}
`;
    for (const lenient of [false, true]) {
      const r = notes(spec, lenient);
      expect(r.errors).toEqual([]);
      expect(r.pods).toBe(1);
      expect(r.warnings).toEqual([
        'spec.nodeSelector: no effect on a single node: the scheduler uses it to choose a node; the pod runs on this one',
        'spec.affinity: no effect on a single node: the scheduler uses it to choose a node; the pod runs on this one',
        'spec.topologySpreadConstraints: no effect on a single node: the scheduler uses it to choose a node; the pod runs on this one',
        'spec.tolerations: no effect on a single node: tolerations let a pod onto tainted nodes; this node has no taints',
        'spec.priorityClassName: no effect on a single node: the scheduler uses it to order and preempt pods; there is no scheduler here',
        'spec.preemptionPolicy: no effect on a single node: the scheduler uses it to order and preempt pods; there is no scheduler here',
        'spec.schedulerName: no effect on a single node: a cluster would wait for scheduler "my-scheduler"; tinylet runs the pod at once',
        'spec.overhead: no effect on a single node: the pod overhead of a RuntimeClass is counted by the scheduler; tinylet does not count it',
      ]);
    }
  });

  it('say nothing of what is not set, empty, or the API server\'s default (schedulerName default-scheduler)', () => {
    expect(notes('  nodeSelector: {}\n  tolerations: []\n  schedulerName: default-scheduler\n').warnings).toEqual([]);
    expect(notes('').warnings).toEqual([]);
  });

  it('do not excuse a malformed value, and say nothing of it', () => {
    const r = notes('  tolerations: {key: k}\n');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.warnings).toEqual([]);
  });
});

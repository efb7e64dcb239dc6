// Fields only the scheduler (and its admission plugins) acts on: which node a pod goes to, in what
// order pods are placed or preempted. On tinylet's single node, with no scheduler, every pod runs on
// the node at once, so they change nothing. They are accepted as in a cluster, with one note per
// field (a warning: it never fails the pod, --lenient or not), so a user pasting a manifest written
// for a cluster knows they were read and ignored.
import type { PodSpec } from './types.js';
import { type FieldError, noEffect } from './fieldErrors.js';

const PLACEMENT = 'the scheduler uses it to choose a node; the pod runs on this one';
const ORDER = 'the scheduler uses it to order and preempt pods; there is no scheduler here';

type Check = [field: keyof PodSpec, applies: (spec: PodSpec) => boolean, detail: (spec: PodSpec) => string];

const given = (v: unknown): boolean =>
  Array.isArray(v) ? v.length > 0 : typeof v === 'object' && v !== null ? Object.keys(v).length > 0 : v !== undefined && v !== null && v !== '';

const CHECKS: Check[] = [
  ['nodeSelector', (s) => given(s.nodeSelector), () => PLACEMENT],
  ['affinity', (s) => given(s.affinity), () => PLACEMENT],
  ['topologySpreadConstraints', (s) => given(s.topologySpreadConstraints), () => PLACEMENT],
  ['tolerations', (s) => given(s.tolerations), () => 'tolerations let a pod onto tainted nodes; this node has no taints'],
  ['priorityClassName', (s) => given(s.priorityClassName), () => ORDER],
  ['priority', (s) => given(s.priority), () => ORDER],
  ['preemptionPolicy', (s) => given(s.preemptionPolicy), () => ORDER],
  // The API server defaults it to default-scheduler: only another one is the user's.
  ['schedulerName', (s) => given(s.schedulerName) && s.schedulerName !== 'default-scheduler', (s) => `a cluster would wait for scheduler ${JSON.stringify(s.schedulerName)}; tinylet runs the pod at once`],
  ['overhead', (s) => given(s.overhead), () => 'the pod overhead of a RuntimeClass is counted by the scheduler; tinylet does not count it'],
];

/** One note for each scheduler-only field the (defaulted) spec sets. */
export function schedulerOnlyNotes(spec: PodSpec): FieldError[] {
  return CHECKS.filter(([, applies]) => applies(spec)).map(([field, , detail]) => noEffect(`spec.${field}`, detail(spec)));
}

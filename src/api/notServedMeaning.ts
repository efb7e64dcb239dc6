// What leaving out an object tinylet does not serve means for the pods of the same input: a user
// who skips a PersistentVolumeClaim needs to know which pod cannot mount it, one who skips a
// Namespace that its pods run in it all the same. The wording is one clause, to follow "kind X is
// not served". (Services, ConfigMaps and Secrets are served: they have no hint here.)
import { matchLabelSelector } from './selectors/labels.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
/** Objects without a namespace land in the default one (or the -n one: close enough for a hint). */
const namespaceOf = (o: Obj): string => (isObj(o.metadata) && typeof o.metadata.namespace === 'string' && o.metadata.namespace) || 'default';
const nameOf = (o: Obj): string => (isObj(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '');
const labelsOf = (o: Obj): Record<string, string> => (isObj(o.metadata) && isObj(o.metadata.labels) ? o.metadata.labels : {});

interface Reference {
  kind: string;
  name: string;
  /** Field path in the pod, e.g. spec.volumes[0].persistentVolumeClaim. */
  path: string;
}

/** Every object of a kind tinylet does not serve that a pod names by name (ConfigMaps and Secrets are served). */
function podReferences(pod: Obj): Reference[] {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const out: Reference[] = [];
  const add = (kind: string, name: unknown, path: string) => typeof name === 'string' && name && out.push({ kind, name, path });
  list(spec.volumes).forEach((v, i) => add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName, `spec.volumes[${i}].persistentVolumeClaim`));
  add('ServiceAccount', spec.serviceAccountName ?? spec.serviceAccount, 'spec.serviceAccountName');
  add('PriorityClass', spec.priorityClassName, 'spec.priorityClassName');
  add('RuntimeClass', spec.runtimeClassName, 'spec.runtimeClassName');
  return out;
}

const podList = (pods: Obj[]): string => (pods.length === 1 ? `pod ${nameOf(pods[0]!)}` : `pods ${pods.map(nameOf).join(', ')}`);

/** What pods the skipped object matters to, and how. */
const CONSEQUENCE: Record<string, string> = {
  PersistentVolumeClaim: 'cannot mount it',
};

export function notServedMeaning(o: Obj, pods: Obj[]): string {
  const kind = String(o.kind);
  const name = nameOf(o);
  if (kind === 'Namespace') {
    const inside = pods.filter((p) => namespaceOf(p) === name);
    const head = 'a namespace exists here from its first pod on';
    return inside.length ? `${head}, so ${podList(inside)} ${inside.length > 1 ? 'run' : 'runs'} in "${name}" without it` : `${head}; no pod in this input is in "${name}"`;
  }
  if (kind === 'PodDisruptionBudget') {
    let selected: Obj[] = [];
    try {
      selected = pods.filter((p) => namespaceOf(p) === namespaceOf(o) && matchLabelSelector(o.spec?.selector, labelsOf(p)));
    } catch {
      // A malformed selector: say nothing about which pods it covers.
    }
    const who = selected.length ? `${podList(selected)} ${selected.length > 1 ? 'run' : 'runs'}` : 'the pods run';
    return `it only limits evictions (kubectl drain), and the agent serves it to kubectl (kubectl apply -f), not to the tinylet commands: ${who} the same without it`;
  }
  if (kind === 'NetworkPolicy') return 'no network policy is enforced: the pods of this input accept traffic from any pod and from the host';
  const users = pods.flatMap((p) => podReferences(p).filter((r) => r.kind === kind && r.name === name && namespaceOf(p) === namespaceOf(o)).map((r) => ({ pod: p, path: r.path })));
  if (users.length === 0) return 'nothing in tinylet acts on it, and no pod in this input uses it';
  const byPod = new Map<Obj, string[]>();
  for (const u of users) byPod.set(u.pod, [...(byPod.get(u.pod) ?? []), u.path]);
  const uses = [...byPod].map(([pod, paths]) => `pod ${nameOf(pod)} uses it (${paths.join(', ')})`).join(', ');
  return `${uses}${CONSEQUENCE[kind] ? ` and ${CONSEQUENCE[kind]}` : ''}`;
}

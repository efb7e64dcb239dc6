// What leaving out an object tinylet does not serve means for the pods of the same input: a user
// who skips a ConfigMap needs to know which pod will miss its data, one who skips a Service that the
// pod still answers on its own IP. The wording is one clause, to follow "kind X is not served".
import { formatLabels, matchLabelSelector } from './selectors/labels.js';

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
  /** Field path in the pod, e.g. spec.volumes[0].configMap. */
  path: string;
}

/** Every object a pod names by kind and name (image pull secrets left out: images come from tinylet's catalog). */
function podReferences(pod: Obj): Reference[] {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const out: Reference[] = [];
  const add = (kind: string, name: unknown, path: string) => typeof name === 'string' && name && out.push({ kind, name, path });
  list(spec.volumes).forEach((v, i) => {
    const p = `spec.volumes[${i}]`;
    add('ConfigMap', v.configMap?.name, `${p}.configMap`);
    add('Secret', v.secret?.secretName, `${p}.secret`);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName, `${p}.persistentVolumeClaim`);
    list(v.projected?.sources).forEach((s, j) => {
      add('ConfigMap', s.configMap?.name, `${p}.projected.sources[${j}].configMap`);
      add('Secret', s.secret?.name, `${p}.projected.sources[${j}].secret`);
    });
  });
  for (const field of ['initContainers', 'containers']) {
    list(spec[field]).forEach((c, i) => {
      const p = `spec.${field}[${i}]`;
      list(c.env).forEach((e, j) => {
        add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, `${p}.env[${j}].valueFrom.configMapKeyRef`);
        add('Secret', e.valueFrom?.secretKeyRef?.name, `${p}.env[${j}].valueFrom.secretKeyRef`);
      });
      list(c.envFrom).forEach((e, j) => {
        add('ConfigMap', e.configMapRef?.name, `${p}.envFrom[${j}].configMapRef`);
        add('Secret', e.secretRef?.name, `${p}.envFrom[${j}].secretRef`);
      });
    });
  }
  add('ServiceAccount', spec.serviceAccountName ?? spec.serviceAccount, 'spec.serviceAccountName');
  add('PriorityClass', spec.priorityClassName, 'spec.priorityClassName');
  add('RuntimeClass', spec.runtimeClassName, 'spec.runtimeClassName');
  return out;
}

const podList = (pods: Obj[]): string => (pods.length === 1 ? `pod ${nameOf(pods[0]!)}` : `pods ${pods.map(nameOf).join(', ')}`);

/** `port 80` / `ports 80, 8443`: where a Service's pods answer (a named targetPort resolved on the first pod). */
function targetPorts(service: Obj, pod: Obj): string {
  const containerPorts = list(pod.spec?.containers).flatMap((c) => list(c.ports));
  const ports = list(service.spec?.ports).map((p) => {
    const target = p.targetPort ?? p.port;
    if (typeof target === 'string') return containerPorts.find((cp) => cp.name === target)?.containerPort ?? target;
    return target;
  });
  return ports.length === 0 ? '' : `, port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}`;
}

function serviceMeaning(service: Obj, pods: Obj[]): string {
  const head = `"${nameOf(service)}" gets no cluster IP, DNS name or node port`;
  const selector = isObj(service.spec?.selector) ? (service.spec.selector as Record<string, string>) : undefined;
  if (!selector) return `${head}; it has no selector`;
  const selected = pods.filter((p) => namespaceOf(p) === namespaceOf(service) && matchLabelSelector({ matchLabels: selector }, labelsOf(p)));
  if (selected.length === 0) return `${head}; no pod in this input has its labels (${formatLabels(selector)})`;
  return `${head}; ${podList(selected)} (${formatLabels(selector)}) ${selected.length > 1 ? 'are' : 'is'} reachable on ${selected.length > 1 ? 'their' : 'its'} own IP${targetPorts(service, selected[0]!)}`;
}

/** What pods the skipped object matters to, and how. */
const CONSEQUENCE: Record<string, string> = {
  ConfigMap: 'will not get its data',
  Secret: 'will not get its data',
  PersistentVolumeClaim: 'cannot mount it',
};

export function notServedMeaning(o: Obj, pods: Obj[]): string {
  const kind = String(o.kind);
  const name = nameOf(o);
  if (kind === 'Service') return serviceMeaning(o, pods);
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
    return `it only limits evictions by drains, which do not happen here: ${who} the same without it`;
  }
  if (kind === 'NetworkPolicy') return 'no network policy is enforced: the pods of this input accept traffic from any pod and from the host';
  const users = pods.flatMap((p) => podReferences(p).filter((r) => r.kind === kind && r.name === name && namespaceOf(p) === namespaceOf(o)).map((r) => ({ pod: p, path: r.path })));
  if (users.length === 0) return 'nothing in tinylet acts on it, and no pod in this input uses it';
  const byPod = new Map<Obj, string[]>();
  for (const u of users) byPod.set(u.pod, [...(byPod.get(u.pod) ?? []), u.path]);
  const uses = [...byPod].map(([pod, paths]) => `pod ${nameOf(pod)} uses it (${paths.join(', ')})`).join(', ');
  return `${uses}${CONSEQUENCE[kind] ? ` and ${CONSEQUENCE[kind]}` : ''}`;
}

// The shape structured-merge-diff needs of a kind: which values are structs (whose fields are not
// members of a field set by themselves), maps (whose keys are), and how each list merges:
// atomic (replaced whole), a set of scalars (`v:` elements) or an associative list (`k:` elements
// by its key fields). Read from the served OpenAPI definitions (openapiDefinitions.ts) as the API
// server's schemaconv reads its own: a list with `x-kubernetes-patch-strategy: merge` and a merge
// key is associative on that key, one without a key is a set, any other list is atomic. The
// generated definitions lack the newer `x-kubernetes-list-map-keys`; where Kubernetes 1.34 keys a
// list by more than its merge key, LIST_MAP_KEYS says so (ports are keyed by port and protocol).
import { openApiDefinitions } from '../openapi.js';

export type ShapeType =
  | { t: 'scalar' }
  | { t: 'struct'; def: string; atomic: boolean }
  | { t: 'map'; elem: ShapeType; atomic: boolean }
  | { t: 'list'; rel: 'atomic' | 'set' | 'map'; keys: string[]; elem: ShapeType }
  /** A value of no known schema (an unknown field): maps granular, lists atomic, as SMD's deduced type. */
  | { t: 'deduced' };

type Schema = Record<string, any>;

const SCALAR: ShapeType = { t: 'scalar' };
const DEDUCED: ShapeType = { t: 'deduced' };

/** Lists Kubernetes 1.34 keys by more than their patch merge key (+listMapKey). */
const LIST_MAP_KEYS: Record<string, string[]> = {
  'io.k8s.api.core.v1.Container.ports': ['containerPort', 'protocol'],
  'io.k8s.api.core.v1.EphemeralContainer.ports': ['containerPort', 'protocol'],
  'io.k8s.api.core.v1.ServiceSpec.ports': ['port', 'protocol'],
  'io.k8s.api.core.v1.PodSpec.topologySpreadConstraints': ['topologyKey', 'whenUnsatisfiable'],
};

/** Key fields a list element may leave out, and the value the schema defaults them to. */
export const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** Structs Kubernetes marks +structType=atomic: replaced whole, owned as one field. */
const ATOMIC_STRUCTS = new Set([
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.TopologySelectorTerm',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
]);

/** Maps Kubernetes marks +mapType=atomic. */
const ATOMIC_MAPS = new Set(['io.k8s.api.core.v1.ServiceSpec.selector', 'io.k8s.api.core.v1.PodSpec.nodeSelector']);

const shapes = new Map<string, ShapeType>();

function defOf(name: string): Schema | undefined {
  return openApiDefinitions()[name];
}

function fromRef(ref: string): ShapeType {
  const name = ref.replace('#/definitions/', '');
  const def = defOf(name);
  // Quantity, IntOrString, Time: strings on the wire, scalars here.
  if (!def || !def.properties) return def?.type === 'object' ? DEDUCED : SCALAR;
  return { t: 'struct', def: name, atomic: ATOMIC_STRUCTS.has(name) };
}

function fromProperty(owner: string, field: string, p: Schema): ShapeType {
  if (typeof p.$ref === 'string') return fromRef(p.$ref);
  if (p.type === 'array') {
    const elem = p.items ? fromProperty(owner, `${field}[]`, p.items) : DEDUCED;
    const listType = p['x-kubernetes-list-type'];
    const strategy = String(p['x-kubernetes-patch-strategy'] ?? '').split(',');
    const mergeKey = p['x-kubernetes-patch-merge-key'];
    const keys = LIST_MAP_KEYS[`${owner}.${field}`] ?? (Array.isArray(p['x-kubernetes-list-map-keys']) ? p['x-kubernetes-list-map-keys'] : typeof mergeKey === 'string' ? [mergeKey] : []);
    if (listType === 'atomic') return { t: 'list', rel: 'atomic', keys: [], elem };
    if (listType === 'set') return { t: 'list', rel: 'set', keys: [], elem };
    if ((listType === 'map' || strategy.includes('merge')) && keys.length > 0) return { t: 'list', rel: 'map', keys, elem };
    if (strategy.includes('merge') && elem.t === 'scalar') return { t: 'list', rel: 'set', keys: [], elem };
    return { t: 'list', rel: 'atomic', keys: [], elem };
  }
  if (p.type === 'object') return p.additionalProperties ? { t: 'map', elem: fromProperty(owner, `${field}{}`, p.additionalProperties), atomic: ATOMIC_MAPS.has(`${owner}.${field}`) } : DEDUCED;
  return SCALAR;
}

/** The shape of a struct's field; undefined when the struct has no such field. */
export function fieldShape(struct: ShapeType & { t: 'struct' }, field: string): ShapeType | undefined {
  const id = `${struct.def}.${field}`;
  const cached = shapes.get(id);
  if (cached) return cached;
  const p = defOf(struct.def)?.properties?.[field];
  if (!p) return undefined;
  const shape = fromProperty(struct.def, field, p);
  shapes.set(id, shape);
  return shape;
}

/** The definition of a served kind: io.k8s.api.<group's first label or core>.<version>.<Kind>. */
export function kindShape(group: string, version: string, kind: string): ShapeType {
  const g = group === '' ? 'core' : group.split('.')[0];
  const name = `io.k8s.api.${g}.${version}.${kind}`;
  return defOf(name) ? { t: 'struct', def: name, atomic: false } : DEDUCED;
}

export const deducedShape = DEDUCED;

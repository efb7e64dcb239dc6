// v1 Node, cluster-scoped, with a status subresource: the kubelet registers its node and reports
// its status (kubelet/node/), users cordon it (spec.unschedulable) and taint it (spec.taints), and
// the node lifecycle controller adds the unschedulable taint (controllers/nodeLifecycle/).
// Validation is ValidateNode's for what can be set here: the name, labels, annotations and taints.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { type FieldError, child, duplicate, index, invalid, required, unsupported } from '../../../api/fieldErrors.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../api/names.js';
import type { ObjectMeta } from '../../../api/types.js';
import { validateAnnotations, validateLabels } from '../../../api/validateMeta.js';
import { mergeKeysOf } from '../../patch/strategicMerge.js';
import type { Strategy } from '../strategy.js';

const EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** ObjectMeta of a cluster-scoped object: no namespace. */
export function validateClusterObjectMeta(meta: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of isDNS1123Subdomain(meta.name)) errs.push(invalid(child(path, 'name'), meta.name, msg));
  if (meta.namespace) errs.push(invalid(child(path, 'namespace'), meta.namespace, 'not allowed on this type'));
  errs.push(...validateLabels(meta.labels ?? {}, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations ?? {}, child(path, 'annotations')));
  return errs;
}

/** validateNodeTaints: a qualified key, a label value, a known effect, each key and effect once. */
export function validateTaints(taints: unknown, path = 'spec.taints'): FieldError[] {
  if (taints === undefined || taints === null) return [];
  if (!Array.isArray(taints)) return [invalid(path, taints, 'must be a list of taints')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t: Partial<Taint> | null, i) => {
    const p = index(path, i);
    if (typeof t !== 'object' || t === null) return errs.push(invalid(p, t, 'must be an object'));
    if (!t.key) errs.push(required(child(p, 'key')));
    else for (const msg of isQualifiedName(t.key)) errs.push(invalid(child(p, 'key'), t.key, msg));
    if (t.value) for (const msg of isValidLabelValue(t.value)) errs.push(invalid(child(p, 'value'), t.value, msg));
    if (!t.effect) errs.push(required(child(p, 'effect')));
    else if (!EFFECTS.includes(t.effect)) errs.push(unsupported(child(p, 'effect'), t.effect, EFFECTS));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(duplicate(p, 'taints', `${t.key}:${t.effect}`));
    seen.add(k);
    return undefined;
  });
  return errs;
}

function validateNode(node: Node): FieldError[] {
  const errs = validateClusterObjectMeta(node.metadata ?? {});
  const u: unknown = node.spec?.unschedulable;
  if (u !== undefined && u !== null && typeof u !== 'boolean') errs.push(invalid('spec.unschedulable', u, 'must be a boolean'));
  errs.push(...validateTaints(node.spec?.taints));
  return errs;
}

export const nodeStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  tableKind: 'Node',
  hasStatus: true,
  fieldGetter: { fields: ['spec.unschedulable'], get: (o, f) => (f === 'spec.unschedulable' ? String((o as Node).spec?.unschedulable ?? false) : '') },
  mergeKeys: mergeKeysOf({ 'status.addresses': 'type', 'status.conditions': 'type', 'status.images': null }),
  prepareForCreate: (o) => ({ ...o, spec: o.spec ?? {} }),
  validate: (o) => validateNode(o as Node),
  validateStatusUpdate: (o) => validateClusterObjectMeta(o.metadata ?? {}),
};

// Strategic merge patch (`application/strategic-merge-patch+json`: kubectl apply, label, annotate,
// edit), for the Pod type and, given their merge keys, for other kinds. Lists whose Go field carries `patchStrategy:"merge"` merge element by
// element on their merge key; others are replaced. The directives $patch (replace, delete, merge),
// $retainKeys, $setElementOrder/<list> and $deleteFromPrimitiveList/<list> are honoured.
import { isPlain } from './jsonMerge.js';

type Obj = Record<string, unknown>;

/** Merge keys of the Pod's strategic lists, by path ("[]" stands for a list element). */
const MERGE_KEYS: Record<string, string | null> = {
  'metadata.finalizers': null,
  'metadata.ownerReferences': 'uid',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.hostAliases': 'ip',
  'status.conditions': 'type',
  'status.podIPs': 'ip',
  'status.hostIPs': 'ip',
};
const CONTAINER_KEYS: Record<string, string> = { ports: 'containerPort', env: 'name', volumeMounts: 'mountPath', volumeDevices: 'devicePath' };

/** A kind's merge key for the list at `path`: a key, null for a merged list of primitives, undefined for a replaced list. */
export type MergeKeys = (path: string) => string | null | undefined;

export const podMergeKeys: MergeKeys = (path) => {
  if (path in MERGE_KEYS) return MERGE_KEYS[path];
  const m = /^spec\.(?:containers|initContainers|ephemeralContainers)\[\]\.(\w+)$/.exec(path);
  return m ? CONTAINER_KEYS[m[1]!] : undefined;
};

/** The merge keys every kind's metadata has, plus the kind's own. */
export function mergeKeysOf(own: Record<string, string | null>): MergeKeys {
  const keys: Record<string, string | null> = { 'metadata.finalizers': null, 'metadata.ownerReferences': 'uid', ...own };
  return (path) => (Object.hasOwn(keys, path) ? keys[path] : undefined);
}

export class PatchError extends Error {}

export function strategicMergePatch(original: unknown, patch: unknown, path = '', mergeKeyOf: MergeKeys = podMergeKeys): unknown {
  if (!isPlain(patch)) return patch;
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  const base: Obj = directive === 'replace' || !isPlain(original) ? {} : { ...original };
  const retain = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__' || k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete base[k];
      continue;
    }
    const merged = Array.isArray(v) ? mergeList(base[k], v, childPath, mergeKeyOf) : strategicMergePatch(base[k], v, childPath, mergeKeyOf);
    if (merged === undefined) delete base[k];
    else base[k] = merged;
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(base[field]) && Array.isArray(v)) base[field] = (base[field] as unknown[]).filter((x) => !v.includes(x));
    }
    if (k.startsWith('$setElementOrder/')) {
      const field = k.slice('$setElementOrder/'.length);
      if (Array.isArray(base[field]) && Array.isArray(v)) base[field] = reorder(base[field] as unknown[], v, mergeKeyOf(path ? `${path}.${field}` : field));
    }
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(base)) if (!retain.includes(k)) delete base[k];
  }
  return base;
}

function mergeList(original: unknown, patch: unknown[], path: string, mergeKeyOf: MergeKeys): unknown[] {
  const key = mergeKeyOf(path);
  if (key === undefined) return patch.filter((x) => !(isPlain(x) && x.$patch));
  const current = Array.isArray(original) ? [...original] : [];
  if (patch.some((x) => isPlain(x) && x.$patch === 'replace')) return patch.filter((x) => !(isPlain(x) && x.$patch === 'replace'));
  if (key === null) {
    // A merged list of primitives: the union, in order.
    for (const x of patch) if (!current.includes(x)) current.push(x);
    return current;
  }
  const elementPath = `${path}[]`;
  for (const item of patch) {
    if (!isPlain(item)) throw new PatchError(`${path}: expected a list of objects with merge key "${key}"`);
    const id = item[key];
    if (id === undefined) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const at = current.findIndex((x) => isPlain(x) && x[key] === id);
    if (item.$patch === 'delete') {
      if (at >= 0) current.splice(at, 1);
      continue;
    }
    if (at >= 0) current[at] = strategicMergePatch(current[at], item, elementPath, mergeKeyOf);
    else current.push(strategicMergePatch({}, item, elementPath, mergeKeyOf));
  }
  return current;
}

function reorder(list: unknown[], order: unknown[], key: string | null | undefined): unknown[] {
  const id = (x: unknown) => (key && isPlain(x) ? x[key] : x);
  const orderIds = order.map((o) => id(o));
  const ranked = list.map((x, i) => ({ x, i, rank: orderIds.indexOf(id(x)) }));
  ranked.sort((a, b) => (a.rank < 0 ? Infinity : a.rank) - (b.rank < 0 ? Infinity : b.rank) || a.i - b.i);
  return ranked.map((r) => r.x);
}

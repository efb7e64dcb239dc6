// Server-side apply (structured-merge-diff's Updater.Apply, with the API server's fieldmanager
// around it): the configuration is merged into the live object; the applier then owns exactly the
// configuration's fields; what it applied last time and no longer applies is removed unless
// someone else owns it; and changing a value someone else owns is a conflict, unless forced, which
// moves the field to the applier.
import { ApiError } from '../status.js';
import { FieldSet, pathString, type PathElement } from './fieldSet.js';
import { identity, type Manager, type Scope, stripped, updateManaged, withoutManaged } from './managedFields.js';
import { mergeApplied, removeFields } from './merge.js';
import { compare, fieldSetOf, goEncoded } from './walk.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyResult {
  object: Obj;
  managers: Manager[];
  /** Whether the object (not counting managedFields) is what it was. */
  same: boolean;
}

interface Conflict {
  manager: Manager;
  path: PathElement[];
}

/** printManager: `"kubectl"`, `"kubelet" with subresource "status" using v1` (the time is not part of the identity). */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** The API server's 409 for apply conflicts (fieldmanager's NewConflictError). */
export function conflictError(conflicts: readonly Conflict[]): ApiError {
  const sorted = [...conflicts].sort((a, b) => cmp(a.manager.manager, b.manager.manager) || cmp(pathString(a.path), pathString(b.path)));
  const causes = sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0]!.manager)}: ${pathString(sorted[0]!.path)}`;
  } else {
    const byManager = new Map<string, { m: Manager; paths: string[] }>();
    for (const c of sorted) {
      const key = printManager(c.manager);
      const entry = byManager.get(key) ?? { m: c.manager, paths: [] };
      entry.paths.push(pathString(c.path));
      byManager.set(key, entry);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${key}:`);
      for (const p of byManager.get(key)!.paths) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The fields a client-side apply annotation claims: conflicts on them are the same user's (lastAppliedManager). */
function lastAppliedSet(live: Obj, scope: Scope): FieldSet {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== 'string') return new FieldSet();
  try {
    return stripped(scope.ignore(fieldSetOf(JSON.parse(text), scope.shape)));
  } catch {
    return new FieldSet();
  }
}

/**
 * Applies `config` by `name` to `live` (undefined: the object does not exist yet). Throws the 409
 * on conflicts unless `force`; a configuration the schema cannot take (an element without its key)
 * is the caller's 400 (KeyError).
 */
export function applyConfig(live: Obj | undefined, liveManagers: readonly Manager[], config: Obj, name: string, force: boolean, scope: Scope, now: string): ApplyResult {
  const base = (withoutManaged(live) ?? {}) as Obj;
  const self = { manager: name, operation: 'Apply' as const, apiVersion: scope.apiVersion, ...(scope.subresource ? { subresource: scope.subresource } : {}) };
  const id = identity(self);
  const previous = liveManagers.find((m) => identity(m) === id);
  const set = stripped(scope.ignore(fieldSetOf(config, scope.shape, true)));
  const others = liveManagers.filter((m) => identity(m) !== id);

  const merged = mergeApplied(base, config, scope.shape) as Obj;
  // Prune: what this applier had and gave up, unless another manager owns it or something under it.
  if (previous) {
    const given = previous.set.difference(set);
    const keep = (p: PathElement[]) => set.ownsAnythingAt(p) || others.some((m) => m.set.ownsAnythingAt(p));
    removeFields(merged, given, scope.shape, keep);
  }

  const encodedBase = goEncoded(base, scope.shape);
  const encodedMerged = goEncoded(merged, scope.shape);
  const c = compare(encodedBase, encodedMerged, scope.shape);
  const changed = stripped(scope.ignore(c.added.union(c.modified)));
  const removed = stripped(scope.ignore(c.removed));
  const conflicts: Conflict[] = [];
  for (const m of others) for (const path of m.set.intersection(changed).members()) conflicts.push({ manager: m, path });
  let forced = force;
  if (!force && conflicts.length > 0 && name === 'kubectl' && live) {
    // Upgrading from client-side apply: conflicts on fields of the last-applied annotation are the user's own.
    const allowed = lastAppliedSet(live, scope);
    const left = conflicts.filter((x) => !allowed.has(x.path));
    if (left.length > 0) throw conflictError(left);
    forced = true;
  }
  if (!forced && conflicts.length > 0) throw conflictError(conflicts);

  const managers: Manager[] = [];
  for (const m of others) {
    const rest = m.set.difference(changed).difference(removed);
    if (!rest.empty()) managers.push({ ...m, set: rest });
  }
  const same = JSON.stringify(encodedBase) === JSON.stringify(encodedMerged);
  // The applier's time moves when its apply changed the object.
  const time = same ? previous?.time : now;
  if (!set.empty()) managers.push({ ...self, ...(time ? { time } : {}), set });

  // kubectl's applies keep a client-side apply annotation in step, so a later `kubectl apply` still works.
  if (name === 'kubectl' && typeof base.metadata?.annotations?.[LAST_APPLIED] === 'string') {
    const annotations = (merged.metadata ??= {}).annotations ?? {};
    const { [LAST_APPLIED]: _prev, ...configAnnotations } = config.metadata?.annotations ?? {};
    const record = { ...config, metadata: { ...config.metadata, ...(Object.keys(configAnnotations).length ? { annotations: configAnnotations } : { annotations: undefined }) } };
    merged.metadata.annotations = { ...annotations, [LAST_APPLIED]: `${JSON.stringify(sortedKeys(record))}\n` };
  }
  return { object: merged, managers, same };
}

/** Managed fields of an object created by an Update (a POST): compared with the kind's zero object. */
export function createdManaged(zero: Obj, created: Obj, name: string, scope: Scope, now: string): Manager[] {
  return updateManaged([], zero, created, name, scope, now, true);
}

/** Keys sorted at every level, as Go's encoding/json writes a map (the annotation kubectl writes reads the same). */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, sortedKeys(v[k])]));
}

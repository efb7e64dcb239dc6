// metadata.managedFields: one entry per manager (manager, operation Apply or Update, apiVersion,
// time, fieldsType FieldsV1, fieldsV1, subresource), as the API server's fieldmanager keeps them.
// An Update takes what it added or changed from everyone else and adds it to its manager's entry
// (one entry per manager, operation, apiVersion and subresource); what it removed leaves every
// entry; an entry left with nothing is dropped. The time moves only when the manager's write
// changed the object.
import { FieldSet, fieldElement } from './fieldSet.js';
import type { ShapeType } from './schema.js';
import { compare, goEncoded } from './walk.js';

export type Operation = 'Apply' | 'Update';

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** What one write is about: the kind's shape and version, the subresource, and the fields it may not own. */
export interface Scope {
  shape: ShapeType;
  apiVersion: string;
  subresource?: string;
  /** The kind's reset fields for this write (status for the main resource; all but status for pods/status). */
  ignore(set: FieldSet): FieldSet;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Never owned by anyone (the fieldmanager's stripMeta): identity and system metadata. */
const STRIPPED = new FieldSet();
for (const p of [['apiVersion'], ['kind'], ['metadata'], ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => ['metadata', f])]) {
  STRIPPED.insert(p.map(fieldElement));
}

export const stripped = (set: FieldSet): FieldSet => set.difference(STRIPPED);

/** The identity of an entry: appliers are one entry whatever version they applied. */
export function identity(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** The entries of an object's metadata.managedFields; undefined when they are not valid entries. */
export function decodeManaged(raw: unknown): Manager[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return undefined;
  const out: Manager[] = [];
  try {
    for (const e of raw) {
      // `[{}]` is how a client clears managedFields: an entry of nothing, which then drops out.
      if (isObj(e) && Object.keys(e).length === 0) {
        out.push({ manager: '', operation: 'Update', apiVersion: '', set: new FieldSet() });
        continue;
      }
      if (!isObj(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return undefined;
      if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return undefined;
      const m: Manager = { manager: e.manager, operation: e.operation, apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '', set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}) };
      if (typeof e.time === 'string') m.time = e.time;
      if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
      out.push(m);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** The entries as the API server writes them: sorted by operation, time, manager, apiVersion, subresource. */
export function encodeManaged(managers: readonly Manager[]): Obj[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const sorted = managers
    .filter((m) => !m.set.empty())
    .sort(
      (a, b) =>
        cmp(a.operation, b.operation) || seconds(a.time) - seconds(b.time) || cmp(a.manager, b.manager) || cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource ?? '', b.subresource ?? ''),
    );
  return sorted.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: m.set.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The object without managedFields: what the walks compare. */
export function withoutManaged(o: unknown): unknown {
  if (!isObj(o) || !isObj(o.metadata)) return o;
  const { managedFields: _m, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

/**
 * An Update by `name` that turned `before` into `after`: the manager's entry gains what changed,
 * the others lose it; `zero` says `before` is the kind's zero object (a create).
 */
export function updateManaged(managers: readonly Manager[], before: unknown, after: unknown, name: string, scope: Scope, now: string, zero = false): Manager[] {
  // A kind's zero object is already as Go encodes it (its nulls are the non-omitempty fields).
  const lhs = zero ? before : goEncoded(withoutManaged(before), scope.shape);
  const c = compare(lhs, goEncoded(withoutManaged(after), scope.shape), scope.shape);
  const changed = stripped(scope.ignore(c.added.union(c.modified)));
  const removed = stripped(scope.ignore(c.removed));
  const out: Manager[] = [];
  for (const m of managers) {
    const set = m.set.difference(changed).difference(removed);
    if (!set.empty()) out.push({ ...m, set });
  }
  if (changed.empty()) return out;
  const self = { manager: name, operation: 'Update' as const, apiVersion: scope.apiVersion, ...(scope.subresource ? { subresource: scope.subresource } : {}) };
  const id = identity(self);
  const previous = out.findIndex((m) => identity(m) === id);
  if (previous >= 0) {
    out[previous] = { ...out[previous]!, set: out[previous]!.set.union(changed), time: now };
  } else {
    out.push({ ...self, time: now, set: changed });
  }
  return capUpdates(out);
}

/** The API server keeps at most this many Update entries (capManagers' default). */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT = 'ancient-changes';

/**
 * Beyond MAX_UPDATE_MANAGERS Update entries, the oldest are merged, per apiVersion, into one
 * `ancient-changes` entry (capManagersManager): its fields the union, its time the newest merged.
 */
export function capUpdates(managers: Manager[]): Manager[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const updaters = managers.filter((m) => m.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managers;
  const byAge = [...updaters].sort((a, b) => seconds(a.time) - seconds(b.time) || cmp(a.manager, b.manager));
  let out = [...managers];
  let length = updaters.length;
  const firstOfVersion = new Map<string, Manager>();
  const bucketId = (v: string) => identity({ manager: ANCIENT, operation: 'Update', apiVersion: v });
  for (const m of byAge) {
    if (length <= MAX_UPDATE_MANAGERS) break;
    const first = firstOfVersion.get(m.apiVersion);
    if (!first) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    let bucket = out.find((x) => identity(x) === bucketId(m.apiVersion));
    if (!bucket) {
      // The first of the version becomes the bucket.
      bucket = { manager: ANCIENT, operation: 'Update', apiVersion: m.apiVersion, set: first.set, ...(first.time ? { time: first.time } : {}) };
      out = out.filter((x) => x !== first);
      out.push(bucket);
    }
    const merged: Manager = { ...bucket, set: m.set.union(bucket.set), ...(m.time ? { time: m.time } : {}) };
    out = out.filter((x) => x !== m && x !== bucket);
    out.push(merged);
    length--;
  }
  return out;
}

/** The manager of a write: `fieldManager`, else the User-Agent up to its first `/` (prefixFromUserAgent). */
export function managerOf(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0] ?? '';
}

// The two walks of structured-merge-diff that make field sets out of objects:
//  - fieldSetOf (TypedValue.ToFieldSet): what an applied configuration sets. Scalars, atomic
//    lists and atomic structs are members; a list element is a member and so are its fields;
//    a map key is a member, a struct field only through what it holds.
//  - compare (TypedValue.Compare): what an update added, modified and removed. A value that is
//    absent on one side is itself added or removed (an absent `labels` becomes `f:labels: {.: {}}`),
//    a value present as null or empty on the old side is not.
import { FieldSet, fieldElement, indexElement, keyElement, type PathElement, pathString, valueElement } from './fieldSet.js';
import { deducedShape, fieldShape, KEY_DEFAULTS, type ShapeType } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An element of an associative list without one of its keys (and no default for it). */
export class KeyError extends Error {}

/** The path element of a list element: its key, its value for a set, else its index. */
export function elementOf(list: ShapeType & { t: 'list' }, item: unknown, i: number, strict: boolean, path: readonly PathElement[] = []): PathElement {
  const at = path.length > 0 ? `${pathString(path)}: ` : '';
  if (list.rel === 'set') return valueElement(item);
  if (list.rel === 'map') {
    if (!isObj(item)) {
      if (strict) throw new KeyError(`${at}element ${i}: an associative list keyed by ${list.keys.join(', ')} holds only objects`);
      return indexElement(i);
    }
    const key: Obj = {};
    for (const k of list.keys) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v === undefined || v === null) {
        if (strict) throw new KeyError(`${at}element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
        return indexElement(i);
      }
      key[k] = v;
    }
    return keyElement(key);
  }
  return indexElement(i);
}

/** The shape of a child: a struct's field, a map's element, or (unknown field) deduced. */
export function childShape(shape: ShapeType, key: string): { shape: ShapeType; declared: boolean } {
  if (shape.t === 'struct') {
    const f = fieldShape(shape, key);
    return f ? { shape: f, declared: true } : { shape: deducedShape, declared: false };
  }
  if (shape.t === 'map') return { shape: shape.elem, declared: false };
  return { shape: deducedShape, declared: false };
}

/** Whether a value is one leaf for this shape (a scalar, an atomic list or struct, or a value of the wrong type). */
function isLeaf(shape: ShapeType, v: unknown): boolean {
  if (shape.t === 'scalar') return true;
  if (shape.t === 'list') return shape.rel === 'atomic' || !Array.isArray(v);
  if ((shape.t === 'struct' || shape.t === 'map') && shape.atomic) return true;
  if (shape.t === 'deduced') return !isObj(v);
  return !isObj(v);
}

/** ToFieldSet; `strict` makes a list element without its key an error (an applied configuration). */
export function fieldSetOf(value: unknown, shape: ShapeType, strict = false): FieldSet {
  const set = new FieldSet();
  walkSet(value, shape, [], set, strict);
  return set;
}

function walkSet(v: unknown, shape: ShapeType, path: PathElement[], set: FieldSet, strict: boolean): void {
  if (v === undefined) return;
  if (v === null) {
    // A null scalar is a value; a null map or list holds nothing.
    if (shape.t === 'scalar' || (shape.t === 'list' && shape.rel === 'atomic')) set.insert(path);
    return;
  }
  if (isLeaf(shape, v)) {
    set.insert(path);
    return;
  }
  if (Array.isArray(v) && shape.t === 'list') {
    const seen = new Set<PathElement>();
    v.forEach((item, i) => {
      const pe = elementOf(shape, item, i, strict, path);
      if (seen.has(pe)) {
        if (strict) throw new KeyError(`${pathString(path)}: duplicate entries for key ${pe.slice(2)}`);
        return;
      }
      seen.add(pe);
      const p = [...path, pe];
      if (shape.rel === 'map') walkSet(item, shape.elem, p, set, strict);
      set.insert(p);
    });
    return;
  }
  for (const [k, child] of Object.entries(v as Obj)) {
    const c = childShape(shape, k);
    const p = [...path, fieldElement(k)];
    walkSet(child, c.shape, p, set, strict);
    if (!c.declared) set.insert(p);
  }
}

/**
 * The value as the API server holds it once decoded into its Go types and encoded again: nulls,
 * empty lists and empty maps are gone (omitempty), empty structs stay (`securityContext: {}`).
 * Compared this way, `labels: {}` is the same as no labels, as it is in a cluster.
 */
export function goEncoded(v: unknown, shape: ShapeType): unknown {
  if (Array.isArray(v)) {
    const elem = shape.t === 'list' ? shape.elem : deducedShape;
    return v.map((x) => goEncoded(x, elem));
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    // `__proto__` (an own key JSON.parse can make) would set the copy's prototype; validation reports it.
    if (x === undefined || x === null || k === '__proto__') continue;
    const c = childShape(shape, k).shape;
    if (Array.isArray(x) && x.length === 0) continue;
    if (isObj(x) && Object.keys(x).length === 0 && (c.t === 'map' || c.t === 'deduced')) continue;
    out[k] = goEncoded(x, c);
  }
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare: `lhs` the object before, `rhs` after. */
export function compare(lhs: unknown, rhs: unknown, shape: ShapeType): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, shape, [], out);
  return out;
}

const emptyish = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0);

function leaf(lhs: unknown, rhs: unknown, path: PathElement[], out: Comparison): void {
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  else if (JSON.stringify(lhs) !== JSON.stringify(rhs)) out.modified.insert(path);
}

function walkCompare(lhs: unknown, rhs: unknown, shape: ShapeType, path: PathElement[], out: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  const oneLeaf = (lhs !== undefined && lhs !== null && isLeaf(shape, lhs)) || (rhs !== undefined && rhs !== null && isLeaf(shape, rhs)) || shape.t === 'scalar' || (shape.t === 'list' && shape.rel === 'atomic') || ((shape.t === 'struct' || shape.t === 'map') && shape.atomic);
  // Both empty or null: a leaf too, which keeps the difference between absent and empty.
  if (oneLeaf || (emptyish(lhs) && emptyish(rhs))) {
    leaf(lhs, rhs, path, out);
    return;
  }
  if (shape.t === 'list' || Array.isArray(lhs) || Array.isArray(rhs)) {
    const list = shape.t === 'list' ? shape : { t: 'list' as const, rel: 'atomic' as const, keys: [], elem: deducedShape };
    const index = (v: unknown): Map<PathElement, unknown> => {
      const m = new Map<PathElement, unknown>();
      if (Array.isArray(v)) v.forEach((item, i) => {
        const pe = elementOf(list, item, i, false);
        if (!m.has(pe)) m.set(pe, item);
      });
      return m;
    };
    const l = index(lhs);
    const r = index(rhs);
    const elem = list.rel === 'map' ? list.elem : { t: 'scalar' as const };
    for (const [pe, rv] of r) walkCompare(l.get(pe), rv, elem, [...path, pe], out);
    for (const [pe, lv] of l) if (!r.has(pe)) walkCompare(lv, undefined, elem, [...path, pe], out);
  } else {
    const lo = isObj(lhs) ? lhs : {};
    const ro = isObj(rhs) ? rhs : {};
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) walkCompare(lo[k], ro[k], childShape(shape, k).shape, [...path, fieldElement(k)], out);
  }
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
}

// Applying a configuration to the live object (structured-merge-diff's TypedValue.Merge) and
// taking fields out of it again (RemoveItems), both by the kind's shape (schema.ts): structs and
// maps merge key by key, associative lists element by element on their keys, sets by value;
// scalars, atomic lists and atomic structs are replaced by the configuration's value.
import type { FieldSet, PathElement } from './fieldSet.js';
import { deducedShape, type ShapeType } from './schema.js';
import { childShape, elementOf } from './walk.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `live` with `config` merged in; neither is modified. */
export function mergeApplied(live: unknown, config: unknown, shape: ShapeType): unknown {
  if (config === undefined) return structuredClone(live);
  if (config === null) return null;
  if (shape.t === 'list' && Array.isArray(config) && shape.rel !== 'atomic') {
    const out = Array.isArray(live) ? structuredClone(live) : [];
    const at = new Map<PathElement, number>();
    out.forEach((item, i) => {
      const pe = elementOf(shape, item, i, false);
      if (!at.has(pe)) at.set(pe, i);
    });
    config.forEach((item, i) => {
      const pe = elementOf(shape, item, i, true);
      const j = at.get(pe);
      if (j === undefined) {
        at.set(pe, out.length);
        out.push(shape.rel === 'map' ? mergeApplied(undefined, item, shape.elem) : structuredClone(item));
      } else if (shape.rel === 'map') {
        out[j] = mergeApplied(out[j], item, shape.elem);
      }
    });
    return out;
  }
  const granular = ((shape.t === 'struct' || shape.t === 'map') && !shape.atomic) || shape.t === 'deduced';
  if (granular && isObj(config)) {
    const out: Obj = isObj(live) ? structuredClone(live) : {};
    for (const [k, v] of Object.entries(config)) {
      if (k === '__proto__') continue;
      // null in a configuration: the field is the applier's, and unset.
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, childShape(shape, k).shape);
    }
    return out;
  }
  return structuredClone(config);
}

/**
 * Removes from `obj` (in place) every member of `set`: a field, a map key, a list element. `keep`
 * says a path must stay because someone else still owns it or something under it. Maps and lists
 * the removal empties go too, as the API server's encoding drops empty maps and slices.
 */
export function removeFields(obj: unknown, set: FieldSet, shape: ShapeType, keep: (path: PathElement[]) => boolean, path: PathElement[] = []): void {
  if (Array.isArray(obj) && shape.t === 'list') {
    for (let i = obj.length - 1; i >= 0; i--) {
      const pe = elementOf(shape, obj[i], i, false);
      const node = set.children.get(pe);
      if (!node) continue;
      const p = [...path, pe];
      if (node.member && !keep(p)) obj.splice(i, 1);
      else if (shape.rel === 'map') removeFields(obj[i], node, shape.elem, keep, p);
    }
    return;
  }
  if (!isObj(obj)) return;
  for (const [pe, node] of set.children) {
    if (!pe.startsWith('f:')) continue;
    const k = pe.slice(2);
    if (!Object.hasOwn(obj, k)) continue;
    const p = [...path, pe];
    if (node.member && !keep(p)) {
      delete obj[k];
      continue;
    }
    const child = obj[k];
    const before = Array.isArray(child) ? child.length : isObj(child) ? Object.keys(child).length : -1;
    removeFields(child, node, childShape(shape, k).shape ?? deducedShape, keep, p);
    const after = Array.isArray(child) ? child.length : isObj(child) ? Object.keys(child).length : -1;
    if (before > 0 && after === 0) delete obj[k];
  }
}

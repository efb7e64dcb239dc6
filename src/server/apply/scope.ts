// What the generic registry hands the field manager for one kind and one write: the kind's shape,
// its reset fields (a write of the main resource owns no status; a write of the status
// subresource owns nothing but status), and the kind's zero object, the "before" of a create.
import type { Strategy } from '../registry/strategy.js';
import type { UpdatePart } from '../registry/storage.js';
import { FieldSet } from './fieldSet.js';
import type { Scope } from './managedFields.js';
import { kindShape, fieldShape } from './schema.js';

const STATUS = ['f:status'];

export function scopeOf(s: Strategy, part: UpdatePart): Scope {
  const shape = kindShape(s.group, s.version, s.kind);
  const apiVersion = s.group ? `${s.group}/${s.version}` : s.version;
  if (part === 'status') return { shape, apiVersion, subresource: 'status', ignore: (set) => set.only(STATUS) };
  if (s.hasStatus) {
    const status = new FieldSet().insert(STATUS);
    return { shape, apiVersion, ignore: (set) => set.recursiveDifference(status) };
  }
  return { shape, apiVersion, ignore: (set) => set };
}

/**
 * The object a create is compared with: the kind's Go zero value as the API server encodes it
 * (creationTimestamp null, non-omitempty structs as {}, a Pod's containers null), so what a
 * create sets inside them is owned field by field, not the struct itself.
 */
export function zeroObject(s: Strategy): Record<string, unknown> {
  const shape = kindShape(s.group, s.version, s.kind);
  const zero: Record<string, unknown> = { metadata: { creationTimestamp: null } };
  if (shape.t === 'struct') {
    if (fieldShape(shape, 'spec')) zero.spec = s.kind === 'Pod' ? { containers: null } : {};
    if (fieldShape(shape, 'status')) zero.status = {};
  }
  return zero;
}


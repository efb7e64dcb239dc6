// A set of field paths (structured-merge-diff's fieldpath.Set): who owns what in an object. Kept
// as a trie whose edges are path elements in their FieldsV1 spelling, so the set reads and writes
// metadata.managedFields without translation:
//   f:<name>          a field of a struct or a key of a map
//   k:{"name":"app"}  an element of an associative list, by its key fields (sorted by name)
//   v:"x"             an element of a set (a list of scalars merged by value)
//   i:0               an element of a list that has no key (only where a key is missing)
// A node is a member when the path itself is in the set; FieldsV1 writes that as `.` when the node
// also has children, and as `{}` when it is a leaf.

export type PathElement = string;
export type FieldPath = readonly PathElement[];

export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  insert(path: FieldPath): this {
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) node.children.set(pe, (next = new FieldSet()));
      node = next;
    }
    node.member = true;
    return this;
  }

  /** The node at `path`, if the set has anything there. */
  at(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) node = node?.children.get(pe);
    return node;
  }

  has(path: FieldPath): boolean {
    return this.at(path)?.member === true;
  }

  empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.member ||= other.member;
    for (const [pe, c] of other.children) {
      const mine = out.children.get(pe);
      out.children.set(pe, mine ? mine.union(c) : c.clone());
    }
    return out;
  }

  /** The members of this set that are not members of `other` (Set.Difference: not recursive). */
  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other?.member;
    for (const [pe, c] of this.children) {
      const d = c.difference(other?.children.get(pe));
      if (!d.empty()) out.children.set(pe, d);
    }
    return out;
  }

  /** Without `other`'s members and everything below them (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet | undefined): FieldSet {
    if (other?.member) return new FieldSet();
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) {
      const d = c.recursiveDifference(other?.children.get(pe));
      if (!d.empty()) out.children.set(pe, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      if (!o) continue;
      const i = c.intersection(o);
      if (!i.empty()) out.children.set(pe, i);
    }
    return out;
  }

  /** Only what lies under `path` (the rest dropped), paths kept whole. */
  only(path: FieldPath): FieldSet {
    const below = this.at(path);
    const out = new FieldSet();
    if (below && !below.empty()) {
      let node = out;
      for (const pe of path) {
        const next = new FieldSet();
        node.children.set(pe, next);
        node = next;
      }
      node.member = below.member;
      for (const [pe, c] of below.children) node.children.set(pe, c.clone());
    }
    return out;
  }

  /** Whether the set has a member at `path` or anywhere below it. */
  ownsAnythingAt(path: FieldPath): boolean {
    const node = this.at(path);
    return node !== undefined && !node.empty();
  }

  /** Every member, depth first in FieldsV1 order. */
  members(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = [];
    if (this.member) out.push([...prefix]);
    for (const pe of sortedElements(this.children.keys())) out.push(...this.children.get(pe)!.members([...prefix, pe]));
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** The FieldsV1 document (`{"f:data":{"f:key":{}}}`). */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const pe of sortedElements(this.children.keys())) {
      const c = this.children.get(pe)!;
      if (c.empty()) continue;
      out[pe] = c.toFieldsV1();
    }
    return out;
  }

  /** Reads a FieldsV1 document; throws on anything that is not one (the caller decides what that means). */
  static fromFieldsV1(doc: unknown): FieldSet {
    const set = new FieldSet();
    read(doc, set, 0);
    return set;
  }
}

const MAX_DEPTH = 100;

function read(doc: unknown, node: FieldSet, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error('fieldsV1 nests too deeply');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('fieldsV1 must be an object of objects');
  const keys = Object.keys(doc);
  for (const k of keys) {
    const v = (doc as Record<string, unknown>)[k];
    if (k === '.') {
      node.member = true;
      continue;
    }
    if (!/^[fkvi]:/.test(k)) throw new Error(`fieldsV1: unknown path element ${JSON.stringify(k)}`);
    if (k.startsWith('k:') || k.startsWith('v:')) JSON.parse(k.slice(2)); // must be JSON
    const child = new FieldSet();
    read(v, child, depth + 1);
    // A leaf (`{}`) is a member; a node with children is one only when it says so with `.`.
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) child.member = true;
    node.children.set(k, child);
  }
}

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** structured-merge-diff's PathElement order: field names, then keys, values and indexes, each sorted. */
function sortedElements(keys: Iterable<PathElement>): PathElement[] {
  return [...keys].sort((a, b) => (ORDER[a[0]!] ?? 9) - (ORDER[b[0]!] ?? 9) || (a < b ? -1 : a > b ? 1 : 0));
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
export const indexElement = (i: number): PathElement => `i:${i}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields sorted by name, as fieldpath does. */
export function keyElement(key: Record<string, unknown>): PathElement {
  const sorted = Object.fromEntries(Object.keys(key).sort().map((k) => [k, key[k]]));
  return `k:${JSON.stringify(sorted)}`;
}

/** A value as fieldpath's value.ToString prints it: strings quoted, numbers and booleans bare. */
const printValue = (v: unknown): string => JSON.stringify(v);

/** fieldpath.Path.String(): `.spec.containers[name="app"].image`, `.metadata.finalizers[="x"]`. */
export function pathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${printValue(v)}`).join(',')}]`;
        }
        case 'v':
          return `[=${printValue(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

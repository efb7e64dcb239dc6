/** RFC 6902 JSON patch (`application/json-patch+json`, `kubectl patch --type json`). */
import { PatchError } from './strategicMerge.js';

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * Own properties only: `in` would walk into the prototype, and `/__proto__/x` would then write
 * into Object.prototype, the whole agent's.
 */
const hasOwn = (v: unknown, key: string): boolean => v !== null && typeof v === 'object' && Object.hasOwn(v, key);

function pointer(path: unknown): string[] {
  if (typeof path !== 'string') throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[]): { parent: any; key: string } {
  let cur: any = doc;
  for (const t of tokens.slice(0, -1)) {
    if (!hasOwn(cur, t)) throw new PatchError(`path ${tokens.join('/')} does not exist`);
    cur = cur[t];
  }
  return { parent: cur, key: tokens.at(-1)! };
}

function get(doc: unknown, path: string): unknown {
  let cur: any = doc;
  for (const t of pointer(path)) {
    if (!hasOwn(cur, t)) throw new PatchError(`path ${path} does not exist`);
    cur = cur[t];
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length) throw new PatchError(`index ${key} out of range`);
    return parent.splice(i, 1)[0];
  }
  if (!hasOwn(parent, key)) throw new PatchError(`path ${path} does not exist`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`index ${key} out of range`);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else if (parent && typeof parent === 'object') {
    if (key === '__proto__') throw new PatchError(`path ${path}: "__proto__" is not a field`);
    if (replace && !hasOwn(parent, key)) throw new PatchError(`path ${path} does not exist`);
    parent[key] = structuredClone(value);
  } else {
    throw new PatchError(`path ${path} does not exist`);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations');
  let doc = structuredClone(target);
  for (const op of ops as Op[]) {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) throw new PatchError(`a JSON patch operation must be an object, not ${JSON.stringify(op)}`);
    switch (op.op) {
      case 'add': doc = add(doc, op.path, op.value, false); break;
      case 'replace': doc = add(doc, op.path, op.value, true); break;
      case 'remove': remove(doc, op.path); break;
      case 'move': { const v = remove(doc, op.from ?? ''); doc = add(doc, op.path, v, false); break; }
      case 'copy': doc = add(doc, op.path, get(doc, op.from ?? ''), false); break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`test operation failed at ${op.path}`);
        break;
      default: throw new PatchError(`unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

/** RFC 6902 JSON patch (`application/json-patch+json`, `kubectl patch --type json`). */
import { PatchError } from './strategicMerge.js';

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[]): { parent: any; key: string } {
  let cur: any = doc;
  for (const t of tokens.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object' || !(t in cur)) throw new PatchError(`path ${tokens.join('/')} does not exist`);
    cur = cur[t];
  }
  return { parent: cur, key: tokens.at(-1)! };
}

function get(doc: unknown, path: string): unknown {
  let cur: any = doc;
  for (const t of pointer(path)) {
    if (cur === null || typeof cur !== 'object' || !(t in cur)) throw new PatchError(`path ${path} does not exist`);
    cur = cur[t];
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
  if (!parent || !(key in parent)) throw new PatchError(`path ${path} does not exist`);
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
    if (replace && !(key in parent)) throw new PatchError(`path ${path} does not exist`);
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

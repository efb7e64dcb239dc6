// What the server stores for an applied object, for apply's three-way diff: a Secret's stringData
// is folded into data on the server (normalizeSecret), so comparing the file's stringData with the
// live object would find a change at every apply. Other kinds are compared as written.
import { normalizeSecret } from '../api/secrets.js';
import type { Secret } from '../api/types.js';

type Obj = Record<string, any>;

export function asStored(object: Obj): Obj {
  if (object.kind === 'Secret' && object.stringData && typeof object.stringData === 'object') return normalizeSecret(object as Secret) as Obj;
  return object;
}

import { parseImageReference } from '../../runtime/images/reference.js';
import { UsageError } from '../usageError.js';
import { imageStoreOf } from './imageStoreOf.js';

/**
 * `tinylet image rm REF...`: the references go, then whatever no other reference needs (a root a
 * running container uses stays until it stops). A reference may also be an image ID (prefix).
 */
export function imageRemoveCommand(refs: string[], opts: { config?: string }): number {
  const { store } = imageStoreOf(opts);
  const missing: string[] = [];
  for (const ref of refs) {
    const byId = /^(sha256:)?[a-f0-9]{6,64}$/.test(ref) ? store.list().filter((i) => i.configDigest.startsWith(ref.startsWith('sha256:') ? ref : `sha256:${ref}`)) : [];
    const targets = byId.length > 0 ? byId.map((i) => i.reference) : [parseImageReference(ref).normalized];
    let removed = false;
    for (const t of targets) {
      if (store.untag(t)) {
        console.log(`Deleted: ${t}`);
        removed = true;
      }
    }
    if (!removed) missing.push(ref);
  }
  store.collectGarbage();
  if (missing.length > 0) throw new UsageError(`error: no such image: ${missing.join(', ')}`);
  return 0;
}

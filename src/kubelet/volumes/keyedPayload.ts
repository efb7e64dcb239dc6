// What configMap and secret volumes share (pkg/volume/configmap and secret MakePayload): every key
// as a file with the volume's defaultMode, or only the listed items, each at its path and mode.
import type { KeyToPath } from 'kubernetes-types/core/v1.js';
import type { Payload } from './atomicWriter.js';

/** `missingKey` words the error for an item whose key the object lacks (not optional). */
export function keyedPayload(values: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKey: (key: string) => string): Payload {
  const payload: Payload = new Map();
  if (!items?.length) {
    for (const [k, data] of values) payload.set(k, { data, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const data = values.get(item.key);
    if (!data) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
  return payload;
}

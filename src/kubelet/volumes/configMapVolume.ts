// A configMap volume's files (pkg/volume/configmap): every key of `data` and `binaryData`, or the
// listed items, each with its mode or the volume's defaultMode.
import type { ConfigMap, Volume } from '../../api/types.js';
import type { Payload } from './atomicWriter.js';
import { keyedPayload } from './keyedPayload.js';

type Items = NonNullable<NonNullable<Volume['configMap']>['items']>;

/** MakePayload: the ConfigMap's keys as files. */
export function configMapPayload(items: Items | undefined, cm: ConfigMap, defaultMode: number, optional: boolean): Payload {
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) values.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) values.set(k, Buffer.from(v, 'base64'));
  return keyedPayload(values, items, defaultMode, optional, (key) => `configmap references non-existent config key: ${key}`);
}

/** The volume's payload; a missing ConfigMap is an error unless optional (then the volume is empty). */
export function configMapVolumePayload(source: NonNullable<Volume['configMap']>, namespace: string, get: (ns: string, name: string) => ConfigMap | undefined): Payload {
  const optional = source.optional === true;
  const cm = get(namespace, source.name ?? '');
  if (!cm) {
    if (!optional) throw new Error(`configmap "${source.name ?? ''}" not found`);
    return new Map();
  }
  return configMapPayload(source.items, cm, source.defaultMode ?? 0o644, optional);
}

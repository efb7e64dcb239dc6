// A secret volume's files (pkg/volume/secret): every key of `data` (base64, decoded), or the listed
// items, each with its mode or the volume's defaultMode.
import type { Secret, Volume } from '../../api/types.js';
import type { Payload } from './atomicWriter.js';
import { keyedPayload } from './keyedPayload.js';

type Items = NonNullable<NonNullable<Volume['secret']>['items']>;

/** MakePayload: the Secret's keys as files. */
export function secretPayload(items: Items | undefined, secret: Secret, defaultMode: number, optional: boolean): Payload {
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) values.set(k, Buffer.from(v, 'base64'));
  return keyedPayload(values, items, defaultMode, optional, (key) => `references non-existent secret key: ${key}`);
}

/** The volume's payload; a missing Secret is an error unless optional (then the volume is empty). */
export function secretVolumePayload(source: NonNullable<Volume['secret']>, namespace: string, get: (ns: string, name: string) => Secret | undefined): Payload {
  const optional = source.optional === true;
  const secret = get(namespace, source.secretName ?? '');
  if (!secret) {
    if (!optional) throw new Error(`secret "${source.secretName ?? ''}" not found`);
    return new Map();
  }
  return secretPayload(source.items, secret, source.defaultMode ?? 0o644, optional);
}

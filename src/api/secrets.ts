// Secrets as the API server takes them: the v1 conversion merges stringData into data,
// SetDefaults_Secret makes the type Opaque, then ValidateSecret / ValidateSecretUpdate
// (pkg/apis/core/validation/validation.go) check keys, size and the keys each type requires.
import type { Secret } from './types.js';
import { type FieldError, forbidden, invalid, key, required } from './fieldErrors.js';
import { validateObjectMeta } from './validateMeta.js';
import { MAX_CONFIG_SIZE, decodeBase64, isConfigMapKey, metaUpdateErrors, tooLongData } from './configMaps.js';

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const;

const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';
const REDACTED = '<secret contents redacted>';

/**
 * A new Secret with stringData merged into data (as base64 of its UTF-8 bytes, a stringData key
 * winning over the same key in data), stringData dropped, and type defaulted to Opaque.
 */
export function normalizeSecret(s: Secret): Secret {
  const out: Secret = structuredClone(s);
  if (out.stringData) {
    out.data = { ...(out.data ?? {}) };
    for (const [k, v] of Object.entries(out.stringData)) out.data[k] = Buffer.from(v ?? '', 'utf8').toString('base64');
  }
  delete out.stringData;
  if (!out.type) out.type = SECRET_TYPES.opaque;
  return out;
}

/** The decoded bytes of a data value (undefined when it is not base64). */
function decoded(value: string | undefined): Buffer | undefined {
  const d = decodeBase64(value ?? '');
  return 'error' in d ? undefined : Buffer.from(value ?? '', 'base64');
}

/** Go's json.Unmarshal into map[string]interface{}: the error text, or undefined when it decodes. */
function jsonObjectError(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    // Go's scanner words each state differently; this is its wording for the common case.
    const msg = (err as Error).message;
    const at = /position (\d+)/.exec(msg);
    const token = /Unexpected token '(.)'/.exec(msg);
    const ch = at && Number(at[1]) < text.length ? text[Number(at[1])] : token?.[1];
    if (!text.trim() || ch === undefined || /end of JSON input/.test(msg)) return 'unexpected end of JSON input';
    return `invalid character '${ch}' looking for beginning of value`;
  }
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/**
 * ValidateSecret, on a normalized Secret: keys as ConfigMap keys, values base64, at most 1 MiB
 * decoded (`data: Too long: must have at most 1048576 bytes`), and per type:
 * service-account-token needs the annotation kubernetes.io/service-account.name; dockercfg and
 * dockerconfigjson need `.dockercfg` / `.dockerconfigjson` holding a JSON object; basic-auth needs
 * `username` or `password`; ssh-auth a non-empty `ssh-privatekey`; tls both `tls.crt` and `tls.key`.
 */
export function validateSecret(s: Secret): FieldError[] {
  const errs = validateObjectMeta(s.metadata ?? {});
  const data = s.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    const d = decodeBase64(v ?? '');
    if ('error' in d) errs.push(invalid(key('data', k), REDACTED, d.error));
    else total += d.bytes;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLongData('data'));
  const has = (k: string) => Object.hasOwn(data, k);
  const jsonKey = (k: string) => {
    if (!has(k)) {
      errs.push(required(key('data', k)));
      return;
    }
    const bytes = decoded(data[k]);
    const problem = bytes && jsonObjectError(bytes);
    if (problem) errs.push(invalid(key('data', k), REDACTED, problem));
  };
  switch (s.type ?? '') {
    case SECRET_TYPES.serviceAccountToken:
      if (!s.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) errs.push(required(key('metadata.annotations', SERVICE_ACCOUNT_NAME_KEY)));
      break;
    case SECRET_TYPES.dockercfg:
      jsonKey('.dockercfg');
      break;
    case SECRET_TYPES.dockerConfigJson:
      jsonKey('.dockerconfigjson');
      break;
    case SECRET_TYPES.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!has('username') && !has('password')) errs.push(required(key('data', 'username')), required(key('data', 'password')));
      break;
    case SECRET_TYPES.sshAuth:
      if (!decoded(data['ssh-privatekey'])?.length) errs.push(required(key('data', 'ssh-privatekey')));
      break;
    case SECRET_TYPES.tls:
      if (!has('tls.crt')) errs.push(required(key('data', 'tls.crt')));
      if (!has('tls.key')) errs.push(required(key('data', 'tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => Object.hasOwn(b ?? {}, k) && (b ?? {})[k] === v);
};

/**
 * ValidateSecretUpdate, on normalized Secrets: the type is immutable (`type: Invalid value:
 * "kubernetes.io/tls": field is immutable`), an `immutable: true` Secret keeps its data and the
 * flag (`data: Forbidden: field is immutable when `immutable` is set`); then ValidateSecret.
 */
export function validateSecretUpdate(next: Secret, old: Secret): FieldError[] {
  const errs = metaUpdateErrors(next, old);
  if ((next.type ?? '') !== (old.type ?? '')) errs.push(invalid('type', next.type ?? '', 'field is immutable'));
  if (old.immutable === true) {
    const msg = 'field is immutable when `immutable` is set';
    if (next.immutable !== true) errs.push(forbidden('immutable', msg));
    if (!sameMap(next.data, old.data)) errs.push(forbidden('data', msg));
  }
  errs.push(...validateSecret(next));
  return errs;
}

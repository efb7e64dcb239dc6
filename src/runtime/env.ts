import type { Container, EnvVar, Pod } from '../api/types.js';
import { MAX_ARG_STRLEN } from '../api/kernelLimits.js';
import { expandVars, ExpansionTooLongError } from './command.js';

/** Reads a `fieldRef.fieldPath` of the downward API from the pod. */
export function fieldRefValue(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const mapKey = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (mapKey) return (mapKey[1] === 'labels' ? meta.labels : meta.annotations)?.[mapKey[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
    case 'metadata.annotations':
      return formatMap((fieldPath === 'metadata.labels' ? meta.labels : meta.annotations) ?? {});
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    default:
      return '';
  }
}

/**
 * The downward API's map format (fieldpath.FormatMap): one `key="value"` a line, keys sorted, the
 * value quoted as Go's strconv.Quote does.
 */
export function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${goQuote(map[k]!)}`)
    .join('\n');
}

const NAMED_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** strconv.Quote for the characters labels and annotations hold: escapes for quotes, backslashes and control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029 || code === 0xfeff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** What the kubelet reads from the API for a container's environment (kubelet/envSources.ts). */
export interface EnvSources {
  /** The variables of `envFrom`, prefixes applied, in the order they are set (before `env`). */
  envFrom: Array<[string, string]>;
  /** The Service variables (KUBERNETES_SERVICE_HOST...): under everything the container declares. */
  serviceEnv?: Array<[string, string]>;
  /** A `valueFrom` other than fieldRef; undefined leaves the variable unset (an optional source that is missing). */
  valueFrom(v: EnvVar): string | undefined;
}

/**
 * The container's environment: image env, then HOSTNAME, then `envFrom`, then the container's `env`
 * in order, each value expanding `$(VAR)` against what was defined before it, as the kubelet's
 * makeEnvironmentVariables does (env overrides envFrom). A value that expands past what execve takes
 * in one string throws ExpansionTooLongError (see expandVars).
 */
export function containerEnv(pod: Pod, container: Container, imageEnv: Record<string, string>, hostname: string, sources?: EnvSources): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv };
  // The kubelet's service variables: `$(KUBERNETES_SERVICE_HOST)` expands, and env/envFrom override them.
  for (const [k, v] of sources?.serviceEnv ?? []) env[k] = v;
  if (hostname) env.HOSTNAME = hostname;
  for (const [k, v] of sources?.envFrom ?? []) env[k] = v;
  for (const v of container.env ?? []) {
    if (v.valueFrom?.fieldRef) env[v.name] = fieldRefValue(pod, v.valueFrom.fieldRef.fieldPath);
    else if (v.valueFrom && !v.value) {
      const value = sources?.valueFrom(v);
      if (value !== undefined) env[v.name] = value;
    } else env[v.name] = expandOne(`env ${v.name}`, v.value ?? '', env);
  }
  return env;
}

/** expandVars capped at one exec string, its error naming what grew too long (`env BIG`, `args[2]`). */
export function expandOne(what: string, value: string, env: Record<string, string>): string {
  try {
    return expandVars(value, env, MAX_ARG_STRLEN);
  } catch (err) {
    if (err instanceof ExpansionTooLongError) throw new ExpansionTooLongError(`${what}: ${err.message}`);
    throw err;
  }
}

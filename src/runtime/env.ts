import type { Container, Pod } from '../api/types.js';
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
    case 'metadata.annotations': {
      const map = (fieldPath === 'metadata.labels' ? meta.labels : meta.annotations) ?? {};
      return Object.entries(map)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    }
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
 * The container's environment: image env, then HOSTNAME, then the container's `env` in order, each
 * value expanding `$(VAR)` against what was defined before it, as the kubelet does. A value that
 * expands past what execve takes in one string throws ExpansionTooLongError (see expandVars).
 */
export function containerEnv(pod: Pod, container: Container, imageEnv: Record<string, string>, hostname: string): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv };
  if (hostname) env.HOSTNAME = hostname;
  for (const v of container.env ?? []) {
    if (v.valueFrom?.fieldRef) env[v.name] = fieldRefValue(pod, v.valueFrom.fieldRef.fieldPath);
    else env[v.name] = expandOne(`env ${v.name}`, v.value ?? '', env);
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

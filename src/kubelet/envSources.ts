// The API side of a container's environment (the kubelet's makeEnvironmentVariables, with its
// configMap/secret managers): envFrom, and valueFrom configMapKeyRef, secretKeyRef and
// resourceFieldRef. A missing object or key that is not optional fails the container's config:
// CreateContainerConfigError with the kubelet's message.
import type { ConfigMap, Container, EnvVar, Pod, Secret } from '../api/types.js';
import type { EnvSources } from '../runtime/env.js';
import { CreateContainerError } from './createContainerError.js';
import type { PodObjectSource } from './podObjects.js';
import { containerResourceValue } from './resourceFieldRef.js';
import { podServiceEnv } from './serviceEnv.js';

export interface EnvSourceContext {
  objects: PodObjectSource;
  allocatable: Record<string, number>;
  /** A Warning event on the pod (InvalidEnvironmentVariableNames). */
  warn(reason: string, message: string): void;
}

const configError = (message: string) => new CreateContainerError('CreateContainerConfigError', message);

/** The object's values as strings: a Secret's `data` is base64. */
const secretValue = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

export function envSourcesFor(pod: Pod, container: Container, ctx: EnvSourceContext): EnvSources {
  const ns = pod.metadata?.namespace ?? 'default';
  // One read of each object per container start, as the kubelet's local maps keep them.
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  const configMap = (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, ctx.objects.configMap(ns, name));
    return configMaps.get(name);
  };
  const secret = (name: string) => {
    if (!secrets.has(name)) secrets.set(name, ctx.objects.secret(ns, name));
    return secrets.get(name);
  };
  const envFrom: Array<[string, string]> = [];
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const name = ref.name ?? '';
    const isConfigMap = from.configMapRef !== undefined;
    const data = isConfigMap ? configMap(name)?.data : mapValues(secret(name)?.data, secretValue);
    const found = isConfigMap ? configMap(name) : secret(name);
    if (!found) {
      if (ref.optional === true) continue;
      throw configError(`${isConfigMap ? 'configmap' : 'secret'} "${name}" not found`);
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data ?? {})) {
      const key = (from.prefix ?? '') + k;
      // The kubelet takes every key since relaxed env var names (any printable name but '='); keys
      // the API server would never store ('=' or empty, from a source that does not validate) cannot
      // go through execve, and are skipped with the event kubelets used to record for invalid names.
      if (key === '' || key.includes('=')) invalid.push(key);
      else envFrom.push([key, v]);
    }
    if (invalid.length > 0) {
      ctx.warn(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${isConfigMap ? 'configMap' : 'secret'} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }
  return {
    envFrom,
    serviceEnv: ctx.objects.services ? podServiceEnv(pod, (n) => ctx.objects.services!(n)) : [],
    valueFrom(v: EnvVar): string | undefined {
      const from = v.valueFrom!;
      if (from.resourceFieldRef) {
        try {
          return containerResourceValue(from.resourceFieldRef, pod, container, ctx.allocatable);
        } catch (err) {
          throw configError((err as Error).message);
        }
      }
      const ref = from.configMapKeyRef ?? from.secretKeyRef;
      if (!ref) return undefined;
      const isConfigMap = from.configMapKeyRef !== undefined;
      const name = ref.name ?? '';
      const obj = isConfigMap ? configMap(name) : secret(name);
      if (!obj) {
        if (ref.optional === true) return undefined;
        throw configError(`${isConfigMap ? 'configmap' : 'secret'} "${name}" not found`);
      }
      const raw = isConfigMap ? (obj as ConfigMap).data?.[ref.key] : (obj as Secret).data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional === true) return undefined;
        throw configError(`couldn't find key ${ref.key} in ${isConfigMap ? 'ConfigMap' : 'Secret'} ${ns}/${name}`);
      }
      return isConfigMap ? raw : secretValue(raw);
    },
  };
}

function mapValues(map: Record<string, string> | undefined, f: (v: string) => string): Record<string, string> | undefined {
  return map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));
}

/** The ConfigMaps and Secrets a container's environment reads (to retry as soon as one changes). */
export function envObjectRefs(container: Container): Array<{ kind: 'ConfigMap' | 'Secret'; name: string }> {
  const refs: Array<{ kind: 'ConfigMap' | 'Secret'; name: string }> = [];
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef) refs.push({ kind: 'ConfigMap', name: f.configMapRef.name ?? '' });
    if (f.secretRef) refs.push({ kind: 'Secret', name: f.secretRef.name ?? '' });
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) refs.push({ kind: 'ConfigMap', name: e.valueFrom.configMapKeyRef.name ?? '' });
    if (e.valueFrom?.secretKeyRef) refs.push({ kind: 'Secret', name: e.valueFrom.secretKeyRef.name ?? '' });
  }
  return refs;
}

// spec.imagePullSecrets as the kubelet reads them: getPullSecretsForPod (pkg/kubelet/kubelet_pods.go)
// fetches each named Secret from the pod's namespace, and MakeDockerKeyring
// (pkg/credentialprovider/secrets) turns those of the two docker types into credentials, which the
// runtime manager (kuberuntime_image.go PullImage) tries before the node's own.
import type { Pod, Secret } from '../../api/types.js';
import { SECRET_TYPES } from '../../api/secrets.js';
import { credentialsFromDockerConfigJson, CredentialsError, type DockerCredentials } from '../../runtime/images/registry/credentials.js';
import type { PodObjectSource } from '../podObjects.js';

export interface PodPullSecrets {
  /** Found, in the order the pod names them. */
  secrets: Secret[];
  /** Named but not found: the FailedToRetrieveImagePullSecret event names them. */
  missing: string[];
}

/**
 * The pod's pull secrets. Empty names are skipped without a warning, as the kubelet does: API
 * validation has always let them through (kubernetes/kubernetes#99454).
 */
export function podPullSecrets(pod: Pod, objects: PodObjectSource): PodPullSecrets {
  const namespace = pod.metadata?.namespace ?? 'default';
  const out: PodPullSecrets = { secrets: [], missing: [] };
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref?.name) continue;
    const secret = objects.secret(namespace, ref.name);
    if (secret) out.secrets.push(secret);
    else out.missing.push(ref.name);
  }
  return out;
}

/** The kubelet's Warning (reason FailedToRetrieveImagePullSecret); the pull goes on with what there is. */
export function missingPullSecretsMessage(missing: readonly string[]): string {
  return `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`;
}

/**
 * The credentials of the secrets, in order. As MakeDockerKeyring: only kubernetes.io/dockerconfigjson
 * (its `.dockerconfigjson`, whose `auths` count) and kubernetes.io/dockercfg (`.dockercfg`, which is
 * the `auths` object itself) give any; other types, or an empty key, are ignored. Content that does
 * not parse fails the pull (a CredentialsError naming the secret), as the kubelet's json error does.
 */
export function pullSecretCredentials(secrets: readonly Secret[]): DockerCredentials[] {
  const out: DockerCredentials[] = [];
  for (const s of secrets) {
    const key = s.type === SECRET_TYPES.dockerConfigJson ? '.dockerconfigjson' : s.type === SECRET_TYPES.dockercfg ? '.dockercfg' : undefined;
    const raw = key === undefined ? undefined : s.data?.[key];
    if (key === undefined || !raw) continue;
    const source = `secret ${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch (err) {
      throw new CredentialsError(`${source}: ${key}: not valid JSON: ${(err as Error).message}`);
    }
    // Wrapped explicitly, so neither form is mistaken for the other by the parser's legacy detection.
    const config = key === '.dockercfg' ? { auths: json } : json !== null && typeof json === 'object' && !Array.isArray(json) ? { auths: (json as { auths?: unknown }).auths ?? {} } : json;
    out.push(...credentialsFromDockerConfigJson(config, `${source} (${key})`));
  }
  return out;
}

// The order credentials are tried in, as kuberuntime_image.go PullImage does with the keyring built
// from the pod's pull secrets over the node's (a UnionDockerKeyring): every pull-secret entry for the
// image's registry, one pull each, then the node's own; the first pull that succeeds wins. Without
// any entry for the registry the pull is made once, with what the node has (possibly anonymous).
import { credentialsFor, loadDockerConfigFile, normalizeRegistryKey, type DockerCredentials } from '../../runtime/images/registry/credentials.js';

/**
 * The extra credentials of each pull to make, in order. Entries of the pod for other hosts are in
 * every attempt, so a mirror still gets its own; an attempt whose extras have no entry for the
 * registry uses the node's credentials file.
 */
export function credentialAttempts(registryHost: string, podCredentials: readonly DockerCredentials[], credentialsFile: string | undefined): DockerCredentials[][] {
  const want = normalizeRegistryKey(registryHost);
  const forRegistry = podCredentials.filter((c) => c.host === want);
  const others = podCredentials.filter((c) => c.host !== want);
  if (forRegistry.length === 0) return [others];
  const attempts = forRegistry.map((c) => [c, ...others]);
  if (nodeHasCredentials(want, credentialsFile)) attempts.push(others);
  return attempts;
}

/** Whether the node's file has an entry for the host (a file that cannot be read has none: the pulls say why). */
function nodeHasCredentials(host: string, credentialsFile: string | undefined): boolean {
  try {
    return credentialsFor(host, loadDockerConfigFile(credentialsFile)) !== undefined;
  } catch {
    return false;
  }
}

/** The kubelet's errors of several attempts: one alone as it is, several as Go's utilerrors aggregate prints them. */
export function aggregateErrors(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

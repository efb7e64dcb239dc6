// The pod's hostname (pkg/kubelet GeneratePodHostNameAndDomain): spec.hostname, or the pod's name.
// A pod name may have 253 characters but a hostname 63 (sethostname refuses more, and the pause
// process would fail the sandbox), so a longer one is cut, without a trailing '-' or '.', as the
// kubelet's truncatePodHostnameIfNeeded does.
import type { Pod } from '../api/types.js';

const HOSTNAME_MAX = 63;

export function podHostname(pod: Pod): string {
  const hostname = pod.spec?.hostname || pod.metadata!.name!;
  return hostname.length <= HOSTNAME_MAX ? hostname : hostname.slice(0, HOSTNAME_MAX).replace(/[-.]+$/, '');
}

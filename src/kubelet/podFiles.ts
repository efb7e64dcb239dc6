import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';

/**
 * Files the kubelet gives every container: /etc/hosts and /etc/hostname for the pod, and the service
 * account directory (namespace, token) that manifests such as myapp-pod read.
 */
export function writePodFiles(dir: string, pod: Pod, hostname: string, podIP: string | undefined): string[] {
  mkdirSync(dir, { recursive: true });
  const binds: string[] = [];
  if (!pod.spec?.hostNetwork) {
    const hosts = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
    if (podIP) hosts.push(`${podIP}\t${hostname}`);
    writeFileSync(join(dir, 'etc-hosts'), hosts.join('\n') + '\n');
    writeFileSync(join(dir, 'etc-hostname'), hostname + '\n');
    binds.push(`${join(dir, 'etc-hosts')}:/etc/hosts`, `${join(dir, 'etc-hostname')}:/etc/hostname`);
  }
  if (pod.spec?.automountServiceAccountToken !== false) {
    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'namespace'), pod.metadata?.namespace ?? 'default');
    writeFileSync(join(sa, 'token'), 'tinylet-has-no-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    binds.push(`${sa}:/var/run/secrets/kubernetes.io/serviceaccount:ro`);
  }
  return binds;
}

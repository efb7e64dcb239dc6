import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import type { Bind } from '../runtime/containerSpec.js';

/**
 * Files the kubelet gives every container: /etc/hosts and /etc/hostname for the pod, and the service
 * account directory that manifests such as myapp-pod read. tinylet has no API tokens for pods: the
 * `token` and `ca.crt` files are placeholders, so that programs which open them find them.
 */
export function writePodFiles(dir: string, pod: Pod, hostname: string, podIP: string | undefined): Bind[] {
  mkdirSync(dir, { recursive: true });
  const binds: Bind[] = [];
  if (!pod.spec?.hostNetwork) {
    const hosts = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
    if (podIP) hosts.push(`${podIP}\t${hostname}`);
    writeFileSync(join(dir, 'etc-hosts'), hosts.join('\n') + '\n');
    writeFileSync(join(dir, 'etc-hostname'), hostname + '\n');
    binds.push({ src: join(dir, 'etc-hosts'), dst: '/etc/hosts' }, { src: join(dir, 'etc-hostname'), dst: '/etc/hostname' });
  }
  if (pod.spec?.automountServiceAccountToken !== false) {
    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'namespace'), pod.metadata?.namespace ?? 'default');
    writeFileSync(join(sa, 'token'), 'tinylet-has-no-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    binds.push({ src: sa, dst: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
  }
  return binds;
}

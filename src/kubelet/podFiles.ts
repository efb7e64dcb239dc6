import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { podResolvConf } from '../dns/resolvConf.js';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import type { Bind } from '../runtime/containerSpec.js';
import { hostNetworkHostsFile, managedHostsFile } from './hostsFile.js';
import { SERVICE_ACCOUNT_MOUNT } from './volumes/serviceAccountVolume.js';

/**
 * Files the kubelet gives every container: /etc/hosts and /etc/hostname for the pod, and the service
 * account volume that manifests such as myapp-pod read, written beforehand by the pod's volumes
 * (volumes/serviceAccountVolume.ts: a token from the agent's API, or a placeholder) in `serviceAccountDir`.
 */
export interface PodDnsSettings {
  clusterDomain: string;
  /** The cluster DNS Service's IP; undefined when no cluster DNS runs (ClusterFirst falls back to Default). */
  clusterDNS?: string;
  /** The host's resolver config (Default, and the search domains ClusterFirst appends). */
  hostResolvConfPath?: string;
  /** The node's hosts file, which a hostNetwork pod's /etc/hosts copies (default /etc/hosts). */
  hostHostsPath?: string;
}

function readHostFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * /etc/resolv.conf as the kubelet writes it for the pod's dnsPolicy; when that leaves nothing
 * (None without dnsConfig), the host's file, as containerd copies it.
 */
function resolvConfOf(pod: Pod, dns: PodDnsSettings): string {
  const host = readHostFile(dns.hostResolvConfPath ?? '/etc/resolv.conf');
  return podResolvConf(pod, { clusterDomain: dns.clusterDomain, nameserver: dns.clusterDNS ?? '', hostResolvConf: host }) ?? host;
}

export function writePodFiles(dir: string, pod: Pod, hostname: string, podIP: string | undefined, serviceAccountDir?: string, dns: PodDnsSettings = { clusterDomain: 'cluster.local' }): Bind[] {
  mkdirSync(dir, { recursive: true });
  const binds: Bind[] = [];
  if (!pod.spec?.hostNetwork) {
    writeFileSync(join(dir, 'etc-hosts'), managedHostsFile(pod, hostname, podIP ? [podIP] : [], dns.clusterDomain));
    writeFileSync(join(dir, 'etc-hostname'), hostname + '\n');
    binds.push({ src: join(dir, 'etc-hosts'), dst: '/etc/hosts' }, { src: join(dir, 'etc-hostname'), dst: '/etc/hostname' });
  } else {
    // The node's names, and the pod's aliases, as the kubelet mounts them for a host-network pod.
    writeFileSync(join(dir, 'etc-hosts'), hostNetworkHostsFile(pod, readHostFile(dns.hostHostsPath ?? '/etc/hosts')));
    binds.push({ src: join(dir, 'etc-hosts'), dst: '/etc/hosts' });
  }
  writeFileSync(join(dir, 'resolv.conf'), resolvConfOf(pod, dns));
  binds.push({ src: join(dir, 'resolv.conf'), dst: '/etc/resolv.conf' });
  if (serviceAccountDir) binds.push({ src: serviceAccountDir, dst: SERVICE_ACCOUNT_MOUNT, readOnly: true });
  return binds;
}

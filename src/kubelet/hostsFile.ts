// /etc/hosts as the kubelet writes it (pkg/kubelet/kubelet_pods.go managedHostsFileContent and
// nodeHostsFileContent): a pod with its own network gets the managed file (the localhost and IPv6
// lines, then its IP with its hostname, or with its FQDN first when it has a subdomain); a
// hostNetwork pod gets the node's own file under a header of its own. Both end with the
// spec.hostAliases block.
import type { Pod } from '../api/types.js';

const MANAGED_HEADER = '# Kubernetes-managed hosts file.\n';
const HOST_NETWORK_HEADER = '# Kubernetes-managed hosts file (host network).\n';

/** hostsEntriesFromHostAliases: a blank line, a comment, then one line per alias: IP, tab, its names tab-separated. */
function hostAliasesBlock(pod: Pod): string {
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length === 0) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

/** managedHostsFileContent for the pod's IPs (one here: no dual stack). */
export function managedHostsFile(pod: Pod, hostname: string, podIPs: string[], clusterDomain: string): string {
  let out = MANAGED_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostAliasesBlock(pod);
}

/** nodeHostsFileContent: the node's /etc/hosts as it is, under the host-network header, with the aliases. */
export function hostNetworkHostsFile(pod: Pod, nodeHosts: string): string {
  return HOST_NETWORK_HEADER + nodeHosts + hostAliasesBlock(pod);
}

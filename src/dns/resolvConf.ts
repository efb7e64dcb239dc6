// A pod's /etc/resolv.conf as the kubelet composes it (pkg/kubelet/network/dns/dns.go, GetPodDNS,
// with ExpandedDNSConfig, GA since 1.28) and the container runtime writes it (containerd's
// parseDNSOptions: a `search` line, one `nameserver` line each, an `options` line, each only when
// not empty).
import type { Pod } from '../api/types.js';

/** The kubelet's limits (k8s.io/kubernetes/pkg/apis/core/validation). */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** A longer search path makes glibc 2.28 abort(): the kubelet drops it. */
const MAX_SEARCH_PATH_LENGTH = 253;

export interface ResolvConfig { servers: string[]; searches: string[]; options: string[] }

/**
 * The host file as the kubelet reads it: `nameserver` lines accumulate, the last `search` and
 * `options` lines win, '#' comments (a ';' is not one to the kubelet), search domains lose a trailing dot.
 */
export function parseResolvConf(text: string): ResolvConfig {
  const cfg: ResolvConfig = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const f = trimmed.split(/\s+/).filter(Boolean);
    if (f.length === 0) continue;
    if (f[0] === 'nameserver' && f.length >= 2) cfg.servers.push(f[1]!);
    if (f[0] === 'search') cfg.searches = f.slice(1).map((s) => s.replace(/\.$/, ''));
    if (f[0] === 'options') cfg.options = f.slice(1);
  }
  return cfg;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/**
 * Options by name, pod's values overriding. The kubelet goes through a Go map, so its order is
 * random; ours is stable: the existing options in their order, then new names in theirs.
 */
function mergeOptions(existing: string[], pod: { name?: string; value?: string }[]): string[] {
  const map = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i >= 0) map.set(op.slice(0, i), op.slice(i + 1));
    else map.set(op, '');
  }
  for (const op of pod) map.set(op.name ?? '', op.value ?? '');
  return [...map].map(([k, v]) => (v !== '' ? `${k}:${v}` : k));
}

/** formDNSSearchFitsLimits: at most 32 paths, none over 253 chars, the line at most 2048 chars (cut from the end). */
export function fitSearches(searches: string[]): string[] {
  let s = searches.slice(0, MAX_DNS_SEARCH_PATHS).filter((d) => d.length <= MAX_SEARCH_PATH_LENGTH);
  const lineLen = s.join(' ').length;
  if (lineLen > MAX_DNS_SEARCH_LIST_CHARS) {
    let cut = 0, cutLen = 0;
    for (let i = s.length - 1; i >= 0; i--) {
      cutLen += s[i]!.length + 1;
      cut++;
      if (lineLen - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    s = s.slice(0, s.length - cut);
  }
  return s;
}

/** The kubelet's DNS config for `pod` (servers, searches, options), before it becomes a file. */
export function podDnsConfig(pod: Pod, opts: { clusterDomain: string; nameserver: string; hostResolvConf: string }): ResolvConfig {
  const spec = pod.spec ?? { containers: [] };
  let cfg = parseResolvConf(opts.hostResolvConf);
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  // getPodDNSType: ClusterFirst on the host network falls back to Default; an unknown policy is ClusterFirst.
  const type = policy === 'None' ? 'none'
    : policy === 'Default' || (policy === 'ClusterFirst' && spec.hostNetwork) ? 'host'
    : 'cluster';
  if (type === 'none') cfg = { servers: [], searches: [], options: [] };
  // Without a cluster DNS address the kubelet also falls back to Default (event MissingClusterDNS).
  if (type === 'cluster' && opts.nameserver) {
    const ns = pod.metadata?.namespace || 'default';
    const d = opts.clusterDomain;
    // generateSearchesForDNSClusterFirst: without a cluster domain the host's list as it is.
    const searches = d ? unique([`${ns}.svc.${d}`, `svc.${d}`, d, ...cfg.searches]) : cfg.searches;
    cfg = { servers: [opts.nameserver], searches, options: ['ndots:5'] };
  }
  const dc = spec.dnsConfig;
  if (dc) {
    cfg = {
      servers: unique([...cfg.servers, ...(dc.nameservers ?? [])]),
      searches: unique([...cfg.searches, ...(dc.searches ?? [])]),
      options: mergeOptions(cfg.options, dc.options ?? []),
    };
  }
  return { servers: cfg.servers.slice(0, MAX_DNS_NAMESERVERS), searches: fitSearches(cfg.searches), options: cfg.options };
}

/**
 * The pod's /etc/resolv.conf, byte for byte what containerd writes from the kubelet's config; or
 * undefined when that config is empty (dnsPolicy None with nothing in dnsConfig, or a Default pod
 * on a host file without any of the three lines): containerd then copies the host's
 * /etc/resolv.conf as it is, and the caller should do the same.
 */
export function podResolvConf(pod: Pod, opts: { clusterDomain: string; nameserver: string; hostResolvConf: string }): string | undefined {
  const { servers, searches, options } = podDnsConfig(pod, opts);
  let out = '';
  if (searches.length) out += `search ${searches.join(' ')}\n`;
  if (servers.length) out += `nameserver ${servers.join('\nnameserver ')}\n`;
  if (options.length) out += `options ${options.join(' ')}\n`;
  return out === '' ? undefined : out;
}

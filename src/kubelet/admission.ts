// The kubelet's pod admission for what a pod's securityContext asks of the node: sysctls
// (pkg/kubelet/sysctl allowlist.go) and AppArmor (lifecycle appArmorAdmitHandler with
// pkg/security/apparmor). A refused pod never starts: the kubelet fails it with this reason and
// message. Pure: whether the host has AppArmor (/sys/module/apparmor/parameters/enabled is "Y")
// is passed in.
import type { Pod } from '../api/types.js';
import {
  SYSCTL_MAX_LENGTH,
  SYSCTL_PATTERN_FMT,
  type SysctlNamespace,
  isValidSysctlPattern,
  normalizeSysctlName,
  sysctlPatternNamespace,
} from '../api/sysctlNames.js';

export { type SysctlNamespace, sysctlNamespace } from '../api/sysctlNames.js';

export interface AdmitResult {
  reason: string;
  message: string;
}

export interface AdmitOptions {
  /** The kubelet's --allowed-unsafe-sysctls: names, or prefixes ending in '*'. */
  allowedUnsafeSysctls: string[];
  /** Whether the host enforces AppArmor; tinylet applies no profile, so false unless said otherwise. */
  appArmorEnabled?: boolean;
}

/**
 * Kubernetes 1.34's safe sysctls: namespaced, and unable to affect other pods. The kubelet drops
 * the last five on kernels older than 3.16/4.5/4.6, older than anything tinylet runs on.
 */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
];

interface Allowlist {
  names: Map<string, SysctlNamespace>;
  prefixes: Map<string, SysctlNamespace>;
}

/** NewAllowlist: every entry must be known to be namespaced. Throws the kubelet's startup error. */
function compileAllowlist(patterns: readonly string[]): Allowlist {
  const list: Allowlist = { names: new Map(), prefixes: new Map() };
  for (const p of patterns) {
    if (!isValidSysctlPattern(p)) throw new Error(`sysctl ${JSON.stringify(p)} must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_PATTERN_FMT}`);
    const { ns, nameOrPrefix, prefixed } = sysctlPatternNamespace(p);
    if (!ns) throw new Error(`the sysctls ${JSON.stringify(nameOrPrefix)} are not known to be namespaced`);
    (prefixed ? list.prefixes : list.names).set(nameOrPrefix, ns);
  }
  return list;
}

/** The error the kubelet refuses to start with for this --allowed-unsafe-sysctls, if any. */
export function checkAllowedUnsafeSysctls(patterns: readonly string[]): string | undefined {
  try {
    compileAllowlist(patterns);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** validateSysctl: the reason a sysctl may not be set in this pod, worded as the kubelet words it. */
function sysctlProblem(list: Allowlist, raw: string, hostNet: boolean, hostIPC: boolean): string | undefined {
  const name = normalizeSysctlName(raw);
  let ns = list.names.get(name);
  if (ns === undefined) for (const [prefix, pns] of list.prefixes) if (name.startsWith(prefix)) ns ??= pns;
  if (ns === undefined) return `${JSON.stringify(name)} not allowlisted`;
  // Sharing the namespace with the host would set the sysctl for the whole node.
  if ((ns === 'IPC' && hostIPC) || (ns === 'Net' && hostNet)) return `${JSON.stringify(name)} not allowed with host ${ns} enabled`;
  return undefined;
}

/** AppArmor is required as soon as any profile other than Unconfined is asked for (isRequired). */
function requiresAppArmor(pod: Pod): boolean {
  const spec = pod.spec;
  const confines = (p: { type?: string } | undefined) => p !== undefined && p.type !== 'Unconfined';
  if (confines(spec?.securityContext?.appArmorProfile)) return true;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  if (containers.some((c) => confines(c.securityContext?.appArmorProfile))) return true;
  const prefix = 'container.apparmor.security.beta.kubernetes.io/';
  return Object.entries(pod.metadata?.annotations ?? {}).some(([k, v]) => k.startsWith(prefix) && v !== 'unconfined');
}

/**
 * The kubelet's admission verdict for a pod, in its handlers' order (sysctls, then AppArmor), or
 * undefined when the pod is admitted. Throws when allowedUnsafeSysctls itself is invalid, which
 * would stop a kubelet from starting at all.
 */
export function admitPod(pod: Pod, opts: AdmitOptions): AdmitResult | undefined {
  const sysctls = pod.spec?.securityContext?.sysctls ?? [];
  if (sysctls.length > 0) {
    // Safe sysctls can always be used; the unsafe ones the node's admin allowed join them.
    const list = compileAllowlist([...SAFE_SYSCTLS, ...opts.allowedUnsafeSysctls]);
    for (const s of sysctls) {
      const problem = sysctlProblem(list, s.name ?? '', pod.spec?.hostNetwork === true, pod.spec?.hostIPC === true);
      if (problem) return { reason: 'SysctlForbidden', message: `forbidden sysctl: ${problem}` };
    }
  }
  // Only a pod that has not started yet is checked again.
  const pending = (pod.status?.phase ?? 'Pending') === 'Pending';
  if (pending && !opts.appArmorEnabled && requiresAppArmor(pod)) {
    return { reason: 'AppArmor', message: 'Cannot enforce AppArmor: AppArmor is not enabled on the host' };
  }
  return undefined;
}

/**
 * The pod's sysctls, in spec order, for the sandbox to set in the pod's network and IPC
 * namespaces; names are normalized to the dotted form (`net/ipv4/ip_forward` → `net.ipv4.ip_forward`).
 */
export function podSysctls(pod: Pod): { name: string; value: string }[] {
  return (pod.spec?.securityContext?.sysctls ?? []).map((s) => ({ name: normalizeSysctlName(s.name ?? ''), value: s.value ?? '' }));
}

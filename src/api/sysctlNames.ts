// Sysctl names as Kubernetes reads them, shared by the API server's validation and the kubelet's
// admission: the name syntax (pkg/apis/core/validation IsValidSysctlName), the '/' separator form
// and the kernel namespace a sysctl lives in (k8s.io/component-helpers/node/util/sysctl).

const SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
/** The regex as the API server prints it in its error message (Go's regexp.String()). */
export const SYSCTL_NAME_REGEX = `^(${SEGMENT}[\\./])*${SEGMENT}$`;
/** A kubelet --allowed-unsafe-sysctls entry: a name, or a prefix ending in '*' (policy validation's pattern). */
export const SYSCTL_PATTERN_FMT = `(${SEGMENT}[\\./])*(${SEGMENT}|\\*)`;
export const SYSCTL_MAX_LENGTH = 253;

const nameRe = new RegExp(SYSCTL_NAME_REGEX);
const patternRe = new RegExp(`^${SYSCTL_PATTERN_FMT}$`);

export const isValidSysctlName = (name: string): boolean => name.length <= SYSCTL_MAX_LENGTH && nameRe.test(name);
export const isValidSysctlPattern = (p: string): boolean => p.length <= SYSCTL_MAX_LENGTH && patternRe.test(p);

/**
 * `net/ipv4/conf/eno2.100/rp_filter` is the same sysctl as `net.ipv4.conf.eno2/100.rp_filter`:
 * when the first separator is '/', dots and slashes swap roles (NormalizeName).
 */
export function normalizeSysctlName(name: string): string {
  const first = name.search(/[./]/);
  if (first === -1 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** The kernel namespace that isolates a sysctl; the kubelet's words for them are "Net" and "IPC". */
export type SysctlNamespace = 'Net' | 'IPC';

// Only sysctls known to be namespaced can be set per pod; any other would change the whole host.
const BY_NAME: Record<string, SysctlNamespace> = {
  'kernel.sem': 'IPC',
  'kernel.shmall': 'IPC',
  'kernel.shmmax': 'IPC',
  'kernel.shmmni': 'IPC',
  'kernel.shm_rmid_forced': 'IPC',
  'kernel.shm': 'IPC', // kept for old `kernel.shm*` patterns
  'kernel.msgmax': 'IPC',
  'kernel.msgmnb': 'IPC',
  'kernel.msgmni': 'IPC',
  'kernel.msg': 'IPC', // kept for old `kernel.msg*` patterns
};
const BY_PREFIX: Record<string, SysctlNamespace> = { net: 'Net', 'fs.mqueue': 'IPC' };

/** Namespace of a (normalized) sysctl name or of a pattern's prefix; undefined when not known to be namespaced. */
export function sysctlNamespace(name: string): SysctlNamespace | undefined {
  if (Object.hasOwn(BY_NAME, name)) return BY_NAME[name];
  for (const [prefix, ns] of Object.entries(BY_PREFIX)) if (name.startsWith(`${prefix}.`)) return ns;
  return undefined;
}

/** GetNamespace: a pattern's namespace, and the name or prefix (up to the first '*') it stands for. */
export function sysctlPatternNamespace(pattern: string): { ns: SysctlNamespace | undefined; nameOrPrefix: string; prefixed: boolean } {
  let nameOrPrefix = normalizeSysctlName(pattern);
  const star = nameOrPrefix.indexOf('*');
  const prefixed = star !== -1;
  if (prefixed) nameOrPrefix = nameOrPrefix.slice(0, star);
  return { ns: sysctlNamespace(nameOrPrefix), nameOrPrefix, prefixed };
}

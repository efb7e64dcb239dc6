// What a container's process is allowed to be, from the pod's and the container's securityContext,
// resolved as the kubelet (pkg/securitycontext DetermineEffectiveSecurityContext, kuberuntime
// security_context.go) and containerd's CRI plugin (WithCapabilities, WithPrivileged, seccomp
// options) resolve it. Pure: the runtime applies the result.
import type { Container, Pod } from '../api/types.js';

export interface EffectiveSecurity {
  /** runAsUser/runAsGroup, container over pod; undefined → the image's USER decides. */
  uid?: number;
  gid?: number;
  /** fsGroup then the pod's supplementalGroups, in the kubelet's order, without repeats. */
  supplementalGroups: number[];
  supplementalGroupsPolicy: 'Merge' | 'Strict';
  runAsNonRoot: boolean;
  privileged: boolean;
  /** The capability set (bounding = effective = permitted for root), by number, ascending. */
  capabilities: number[];
  /** no_new_privs: only when allowPrivilegeEscalation is explicitly false (AddNoNewPrivileges). */
  noNewPrivs: boolean;
  readOnlyRootFilesystem: boolean;
  /** localhostProfile stays relative: the runtime resolves it under the kubelet's seccomp root. */
  seccomp: { type: 'Unconfined' | 'RuntimeDefault' | 'Localhost'; localhostProfile?: string };
  /** Unmasked needs a user namespace, which tinylet does not create (validation refuses it). */
  procMount: 'Default';
}

/** A securityContext that cannot be turned into a process; `reason` is the waiting reason the kubelet reports. */
export class SecurityConfigError extends Error {
  readonly reason: 'CreateContainerError' | 'CreateContainerConfigError';
  constructor(message: string, reason: SecurityConfigError['reason'] = 'CreateContainerError') {
    super(message);
    this.name = 'SecurityConfigError';
    this.reason = reason;
  }
}

// linux/capability.h, CAP_CHOWN = 0 to CAP_CHECKPOINT_RESTORE = 40.
const NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];
export const CAPABILITIES: readonly { name: string; number: number }[] = NAMES.map((n, i) => ({ name: `CAP_${n}`, number: i }));
const BY_NAME = new Map(CAPABILITIES.map((c) => [c.name, c.number]));
const ALL = CAPABILITIES.map((c) => c.number);

/** containerd's default set for an unprivileged container (oci.populateDefaultUnixSpec). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export function capabilityNames(numbers: readonly number[]): string[] {
  return numbers.map((n) => CAPABILITIES[n]?.name ?? `CAP_${n}`);
}

/**
 * containerd upper-cases a name and prefixes CAP_. Unlike containerd, which would turn CAP_CHOWN
 * into CAP_CAP_CHOWN, a CAP_ prefix is accepted; and an unknown name is an error (runc's old
 * wording) where today's runc only logs "ignoring unknown or unavailable capabilities", because a
 * dropped capability that silently stays is worse than a container that does not start.
 */
function capabilityNumber(raw: string): number {
  const upper = raw.toUpperCase();
  const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  const n = name === 'CAP_ALL' ? undefined : BY_NAME.get(name);
  if (n === undefined) throw new SecurityConfigError(`unknown capability ${JSON.stringify(name)}`);
  return n;
}

/** WithCapabilities: ALL first (add, then drop), then the single adds, then the single drops. */
function resolveCapabilities(privileged: boolean, caps: { add?: string[]; drop?: string[] } | undefined): number[] {
  // A privileged container gets every capability; add and drop are not consulted (WithPrivileged).
  if (privileged) return [...ALL];
  const set = new Set(DEFAULT_CAPABILITIES.map((c) => BY_NAME.get(c)!));
  const add = caps?.add ?? [];
  const drop = caps?.drop ?? [];
  const isAll = (c: string) => c.toUpperCase() === 'ALL';
  if (add.some(isAll)) for (const n of ALL) set.add(n);
  if (drop.some(isAll)) set.clear();
  for (const c of add) if (!isAll(c)) set.add(capabilityNumber(c));
  for (const c of drop) if (!isAll(c)) set.delete(capabilityNumber(c));
  return [...set].sort((a, b) => a - b);
}

type Profile = { type?: string; localhostProfile?: string } | undefined;

/** getSeccompProfile: container field, else pod field, else the --seccomp-default fallback. */
function resolveSeccomp(container: Profile, pod: Profile, seccompDefault: boolean, privileged: boolean): EffectiveSecurity['seccomp'] {
  const field = container ?? pod;
  let resolved: EffectiveSecurity['seccomp'];
  if (!field) resolved = { type: seccompDefault ? 'RuntimeDefault' : 'Unconfined' };
  else if (field.type === 'RuntimeDefault') resolved = { type: 'RuntimeDefault' };
  else if (field.type === 'Localhost') {
    // The API server lets an empty name through; the kubelet stops at it.
    if (!field.localhostProfile) throw new SecurityConfigError('localhostProfile must be set if seccompProfile type is Localhost.', 'CreateContainerConfigError');
    resolved = { type: 'Localhost', localhostProfile: field.localhostProfile };
  } else resolved = { type: 'Unconfined' };
  // containerd applies no seccomp filter to a privileged container, whatever was asked.
  return privileged ? { type: 'Unconfined' } : resolved;
}

export function effectiveSecurity(pod: Pod, container: Container, opts: { seccompDefault: boolean }): EffectiveSecurity {
  const psc = (pod.spec?.securityContext ?? {}) as NonNullable<NonNullable<Pod['spec']>['securityContext']> & { supplementalGroupsPolicy?: string };
  const csc = container.securityContext ?? {};
  const privileged = csc.privileged === true;
  const uid = csc.runAsUser ?? psc.runAsUser;
  const gid = csc.runAsGroup ?? psc.runAsGroup;
  const groups = [...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  return {
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    supplementalGroups: [...new Set(groups)],
    supplementalGroupsPolicy: psc.supplementalGroupsPolicy === 'Strict' ? 'Strict' : 'Merge',
    runAsNonRoot: (csc.runAsNonRoot ?? psc.runAsNonRoot) === true,
    privileged,
    capabilities: resolveCapabilities(privileged, csc.capabilities),
    noNewPrivs: csc.allowPrivilegeEscalation === false,
    readOnlyRootFilesystem: csc.readOnlyRootFilesystem === true,
    seccomp: resolveSeccomp(csc.seccompProfile, psc.seccompProfile, opts.seccompDefault, privileged),
    procMount: 'Default',
  };
}

/** format.Pod: `name_namespace(uid)`. */
const formatPod = (pod: Pod): string => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

/**
 * The image's User as containerd reports it (getUserFromImage): the part before ':', a number is
 * a uid, anything else a user name; no user at all is root, as the kubelet assumes.
 */
function imageUserIdentity(user: string | undefined): { uid?: bigint; username?: string } {
  const name = (user ?? '').split(':')[0]!;
  // strconv.ParseInt(name, 10, 64): an optional sign, digits, within int64.
  if (/^[+-]?\d+$/.test(name)) {
    const uid = BigInt(name);
    if (uid >= -(2n ** 63n) && uid < 2n ** 63n) return { uid };
  }
  return name ? { username: name } : { uid: 0n };
}

/**
 * The kubelet's runAsNonRoot check (kuberuntime verifyRunAsNonRoot); imageUser is the image
 * config's User string ('' or undefined = root). Returns the kubelet's error message, reported as
 * CreateContainerConfigError, or undefined when the container may start.
 */
export function verifyRunAsNonRoot(pod: Pod, container: Container, sec: EffectiveSecurity, imageUser: string | undefined): string | undefined {
  if (!sec.runAsNonRoot) return undefined;
  const where = `(pod: ${JSON.stringify(formatPod(pod))}, container: ${container.name})`;
  if (sec.uid !== undefined) return sec.uid === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const image = imageUserIdentity(imageUser);
  if (image.username !== undefined) {
    return `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${where}`;
  }
  const uid = image.uid!;
  if (uid === 0n) return `container has runAsNonRoot and image will run as root ${where}`;
  if (uid < 0n || uid > 2147483647n) {
    return `container has runAsNonRoot and image has an invalid user id (${uid}). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive ${where}`;
  }
  return undefined;
}

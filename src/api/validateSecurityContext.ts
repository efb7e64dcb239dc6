// securityContext as the API server checks it (pkg/apis/core/validation: validatePodSpecSecurityContext,
// ValidateSecurityContext, validateSeccompProfileField, ValidateAppArmorProfileField, validateSysctls,
// validateLinux). Wording, value shown and field path follow the API server's field errors, so a
// manifest refused here is refused by a cluster with the same lines. Whether tinylet can honour a
// valid value is notImplemented.ts's business, not this file's.
import type { Container, PodSpec } from './types.js';
import { type FieldError, child, duplicate, forbidden, index, invalid, required, unsupported } from './fieldErrors.js';
import { isDNS1123Subdomain } from './names.js';
import { SYSCTL_MAX_LENGTH, SYSCTL_NAME_REGEX, isValidSysctlName, normalizeSysctlName, sysctlNamespace } from './sysctlNames.js';

type Obj = Record<string, any>;
const MAX_ID = 2147483647;
const idError = (path: string, v: unknown): FieldError[] =>
  typeof v === 'number' && (v < 0 || v > MAX_ID) ? [invalid(path, v, `must be between 0 and ${MAX_ID}, inclusive`)] : [];

// Supported-value lists are printed sorted, as sets.List sorts them.
const FS_GROUP_CHANGE_POLICIES = ['Always', 'OnRootMismatch'];
const SUPPLEMENTAL_GROUPS_POLICIES = ['Merge', 'Strict'];
// MountOption needs the SELinuxMount feature gate, still off by default in 1.34.
const SELINUX_CHANGE_POLICIES = ['Recursive'];
const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const PROC_MOUNT_TYPES = ['Default', 'Unmasked'];

/** validateLocalDescendingPath: a path below a root directory, without backsteps. */
export function localDescendingPathErrors(value: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (value.startsWith('/')) errs.push(invalid(path, value, 'must be a relative path'));
  if (value.split('/').includes('..')) errs.push(invalid(path, value, "must not contain '..'"));
  return errs;
}

function seccompProfileErrors(sp: Obj | undefined, path: string): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  if (!sp.type) errs.push(required(child(path, 'type'), 'type is required when seccompProfile is set'));
  else if (!PROFILE_TYPES.includes(sp.type)) errs.push(unsupported(child(path, 'type'), sp.type, PROFILE_TYPES));
  const lp = child(path, 'localhostProfile');
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(required(lp, 'must be set when seccomp type is Localhost'));
    else errs.push(...localDescendingPathErrors(sp.localhostProfile, lp));
  } else if (sp.localhostProfile !== undefined) {
    // The API server shows the whole profile as the bad value here.
    errs.push(invalid(lp, sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function appArmorProfileErrors(p: Obj | undefined, path: string): FieldError[] {
  if (!p) return [];
  const lp = child(path, 'localhostProfile');
  switch (p.type) {
    case 'Localhost': {
      const name = p.localhostProfile;
      if (name === undefined || name === '') return [required(lp, 'must be set when AppArmor type is Localhost')];
      const errs: FieldError[] = [];
      if (name !== name.trim()) errs.push(invalid(lp, name, 'must not be padded with whitespace'));
      if (name.length > 4095) errs.push({ path: lp, kind: 'invalid', message: 'Too long: may not be more than 4095 bytes' });
      return errs;
    }
    case 'RuntimeDefault':
    case 'Unconfined':
      return p.localhostProfile !== undefined ? [invalid(lp, p.localhostProfile, 'can only be set when AppArmor type is Localhost')] : [];
    case undefined:
    case '':
      return [required(child(path, 'type'), 'type is required when appArmorProfile is set')];
    default:
      return [unsupported(child(path, 'type'), p.type, PROFILE_TYPES)];
  }
}

/** validateWindowsSecurityContextOptions: checked on every pod, whatever its OS. */
function windowsOptionsErrors(w: Obj | undefined, path: string): FieldError[] {
  if (!w) return [];
  const errs: FieldError[] = [];
  if (w.gmsaCredentialSpecName !== undefined) {
    for (const msg of isDNS1123Subdomain(w.gmsaCredentialSpecName)) errs.push(invalid(child(path, 'gmsaCredentialSpecName'), w.gmsaCredentialSpecName, msg));
  }
  const spec = w.gmsaCredentialSpec;
  if (spec === '') errs.push(invalid(child(path, 'gmsaCredentialSpec'), spec, 'gmsaCredentialSpec cannot be an empty string'));
  else if (typeof spec === 'string' && Buffer.byteLength(spec) > 64 * 1024) errs.push(invalid(child(path, 'gmsaCredentialSpec'), spec, 'gmsaCredentialSpec size must be under 64 KiB'));
  const user = w.runAsUserName;
  if (user !== undefined) {
    const bad = (msg: string) => errs.push(invalid(child(path, 'runAsUserName'), user, msg));
    if (user === '') bad('runAsUserName cannot be an empty string');
    else if (/[\x00-\x1f\x7f]/.test(user)) bad('runAsUserName cannot contain control characters');
    else if (user.split('\\').length > 2) bad('runAsUserName cannot contain more than one backslash');
    else {
      const parts = user.split('\\');
      const [domain, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
      if (domain.length >= 256) bad("runAsUserName's Domain length must be under 256 characters");
      const netBios = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/;
      const dns = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
      if (parts.length === 2 && !netBios.test(domain) && !dns.test(domain)) bad("runAsUserName's Domain doesn't match the NetBios nor the DNS format");
      if (name === '') bad("runAsUserName's User cannot be empty");
      else if (name.length > 104) bad("runAsUserName's User length must not be longer than 104 characters");
      if (/^[. ]+$/.test(name)) bad("runAsUserName's User cannot contain only periods or spaces");
      if (/["/\\:;|=,+*?<>@[\]]/.test(name)) bad(`runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`);
    }
  }
  return errs;
}

function sysctlErrors(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    const p = child(index(path, i), 'name');
    const name = s.name ?? '';
    if (!name) errs.push(required(p));
    else if (!isValidSysctlName(name)) errs.push(invalid(p, name, `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_NAME_REGEX}`));
    // tinylet's duplicate wording, as for every other duplicate it reports.
    else if (seen.has(name)) errs.push(duplicate(p, 'sysctl', name));
    // A namespaced sysctl in a namespace shared with the host would change the host (ValidateHostSysctl).
    const ns = sysctlNamespace(normalizeSysctlName(name));
    if (spec.hostNetwork && ns === 'Net') errs.push(invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    if (spec.hostIPC && ns === 'IPC') errs.push(invalid(p, name, "may not be specified when 'hostIPC' is true"));
    seen.add(name);
  });
  return errs;
}

/** spec.securityContext, and the rules of spec.os.name: linux on every container's securityContext. */
export function validatePodSecurityContext(spec: PodSpec): FieldError[] {
  const sc = (spec.securityContext ?? {}) as Obj;
  const path = 'spec.securityContext';
  const errs: FieldError[] = [];
  errs.push(...idError(child(path, 'fsGroup'), sc.fsGroup));
  errs.push(...idError(child(path, 'runAsUser'), sc.runAsUser));
  errs.push(...idError(child(path, 'runAsGroup'), sc.runAsGroup));
  ((sc.supplementalGroups ?? []) as number[]).forEach((g, i) => errs.push(...idError(index(child(path, 'supplementalGroups'), i), g)));
  errs.push(...sysctlErrors(spec, child(path, 'sysctls')));
  if (sc.fsGroupChangePolicy !== undefined && !FS_GROUP_CHANGE_POLICIES.includes(sc.fsGroupChangePolicy)) {
    errs.push(unsupported(child(path, 'fsGroupChangePolicy'), sc.fsGroupChangePolicy, FS_GROUP_CHANGE_POLICIES));
  }
  errs.push(...seccompProfileErrors(sc.seccompProfile, child(path, 'seccompProfile')));
  errs.push(...windowsOptionsErrors(sc.windowsOptions, child(path, 'windowsOptions')));
  errs.push(...appArmorProfileErrors(sc.appArmorProfile, child(path, 'appArmorProfile')));
  if (sc.supplementalGroupsPolicy !== undefined && !SUPPLEMENTAL_GROUPS_POLICIES.includes(sc.supplementalGroupsPolicy)) {
    errs.push(unsupported(child(path, 'supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, SUPPLEMENTAL_GROUPS_POLICIES));
  }
  if (sc.seLinuxChangePolicy !== undefined && !SELINUX_CHANGE_POLICIES.includes(sc.seLinuxChangePolicy)) {
    errs.push(unsupported(child(path, 'seLinuxChangePolicy'), sc.seLinuxChangePolicy, SELINUX_CHANGE_POLICIES));
  }
  if (spec.os?.name === 'linux') errs.push(...linuxOnlyErrors(spec));
  return errs;
}

/** validateLinux: Windows options on a pod that says it is a Linux pod. */
function linuxOnlyErrors(spec: PodSpec): FieldError[] {
  const msg = 'windows options cannot be set for a linux pod';
  const errs: FieldError[] = [];
  if (spec.securityContext?.windowsOptions) errs.push(forbidden('spec.securityContext.windowsOptions', msg));
  for (const group of ['containers', 'initContainers'] as const) {
    (spec[group] ?? []).forEach((c, i) => {
      if (c.securityContext?.windowsOptions) errs.push(forbidden(`spec.${group}[${i}].securityContext.windowsOptions`, msg));
    });
  }
  return errs;
}

/** A container's securityContext; hostUsers is the pod's (true unless spec.hostUsers is false). */
export function validateContainerSecurityContext(c: Container, path: string, hostUsers: boolean): FieldError[] {
  const sc = c.securityContext as Obj | undefined;
  if (!sc) return [];
  const errs: FieldError[] = [];
  errs.push(...idError(child(path, 'runAsUser'), sc.runAsUser));
  errs.push(...idError(child(path, 'runAsGroup'), sc.runAsGroup));
  if (sc.procMount !== undefined) {
    if (!PROC_MOUNT_TYPES.includes(sc.procMount)) errs.push(unsupported(child(path, 'procMount'), sc.procMount, PROC_MOUNT_TYPES));
    // An unmasked /proc is only safe inside a user namespace.
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalid(child(path, 'procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...seccompProfileErrors(sc.seccompProfile, child(path, 'seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    // no_new_privs cannot hold for a process that is privileged or may mount things anyway.
    if (sc.privileged === true) errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    // The API server compares the literal string: SYS_ADMIN (the spelling the runtime understands) passes.
    for (const cap of (sc.capabilities?.add ?? []) as string[]) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...windowsOptionsErrors(sc.windowsOptions, child(path, 'windowsOptions')));
  errs.push(...appArmorProfileErrors(sc.appArmorProfile, child(path, 'appArmorProfile')));
  return errs;
}

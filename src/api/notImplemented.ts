// Fields tinylet does not implement and that would change how the pod behaves if they were
// silently ignored (a secret, a device, a terminal, an AppArmor profile...). They are errors by
// default and warnings with --lenient. Fields that mean nothing on a single node (nodeSelector, affinity,
// tolerations, priority, ...) are not listed: they are accepted, with a note that they have no effect
// (schedulerOnlyFields.ts).
import type { Container, Pod, PodSpec, Volume } from './types.js';
import { type FieldError, child, index, key, notImplemented } from './fieldErrors.js';
import { OTHER_VOLUME_SOURCES } from './podSchema.js';
import { projectedGaps } from './validateObjectVolumes.js';

type Obj = Record<string, unknown>;
const set = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

// AppArmor profiles are not applied by tinylet. Unconfined is what a host without AppArmor gives
// anyway; RuntimeDefault or Localhost would be silently unenforced, so they are refused. (A kubelet
// on such a host refuses the pod at admission: reason AppArmor, "Cannot enforce AppArmor: AppArmor
// is not enabled on the host"; see kubelet/admission.ts.)
const confinesAppArmor = (sc: { appArmorProfile?: { type?: string } } | undefined): boolean =>
  sc?.appArmorProfile !== undefined && sc.appArmorProfile.type !== 'Unconfined';
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * The securityContext keys tinylet cannot honour. The rest is implemented, or means nothing on
 * this host as on a kubelet's: seLinuxOptions and seLinuxChangePolicy (no SELinux here; the
 * runtime ignores labels on a host without it) and windowsOptions (ignored on Linux).
 */
function securityContextGaps(sc: Container['securityContext'], path: string, hostUsers: boolean): FieldError[] {
  const out: FieldError[] = [];
  if (confinesAppArmor(sc)) out.push(notImplemented(child(path, 'appArmorProfile'), 'AppArmor'));
  // Unmasked /proc needs a user namespace (hostUsers: false, itself not implemented); with the
  // host's users the API server's own rule already refuses it.
  if (sc?.procMount === 'Unmasked' && !hostUsers) out.push(notImplemented(child(path, 'procMount')));
  return out;
}

function containerGaps(c: Container, path: string, init: boolean, hostUsers: boolean): FieldError[] {
  const out = securityContextGaps(c.securityContext, child(path, 'securityContext'), hostUsers);
  const flag = (cond: boolean, field: string) => cond && out.push(notImplemented(child(path, field)));
  flag(nonEmpty(c.volumeDevices), 'volumeDevices');
  flag(nonEmpty(c.resources?.claims), 'resources.claims');
  flag(nonEmpty((c as unknown as Obj).restartPolicyRules), 'restartPolicyRules');
  // In-place resize does not exist here; on an app container the policy is simply never consulted.
  flag(init && nonEmpty(c.resizePolicy), 'resizePolicy');
  (c.env ?? []).forEach((e, i) => {
    for (const src of ['fileKeyRef']) {
      if (set((e.valueFrom as Obj | undefined)?.[src])) out.push(notImplemented(child(child(index(child(path, 'env'), i), 'valueFrom'), src)));
    }
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = index(child(path, 'volumeMounts'), i);
    if (m.mountPropagation === 'HostToContainer' || m.mountPropagation === 'Bidirectional') out.push(notImplemented(child(p, 'mountPropagation')));
    if (m.recursiveReadOnly === 'Enabled') out.push(notImplemented(child(p, 'recursiveReadOnly')));
  });
  return out;
}

function volumeGaps(v: Volume, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const src of OTHER_VOLUME_SOURCES) if (set((v as unknown as Obj)[src])) out.push(notImplemented(child(path, src)));
  if (v.emptyDir?.medium?.startsWith('HugePages')) out.push(notImplemented(child(path, 'emptyDir.medium')));
  if (v.projected) out.push(...projectedGaps(v.projected, child(path, 'projected')));
  return out;
}

function specGaps(spec: PodSpec): FieldError[] {
  const out: FieldError[] = [];
  if (confinesAppArmor(spec.securityContext)) out.push(notImplemented('spec.securityContext.appArmorProfile', 'AppArmor'));
  const flag = (cond: boolean, field: string) => cond && out.push(notImplemented(`spec.${field}`));
  flag(spec.hostPID === true, 'hostPID');
  flag(spec.hostIPC === true, 'hostIPC');
  flag(spec.hostUsers === false, 'hostUsers');
  flag(set(spec.runtimeClassName), 'runtimeClassName');
  flag(nonEmpty(spec.resourceClaims), 'resourceClaims');
  // A gated pod must wait for a controller to lift the gate; nothing here ever would.
  flag(nonEmpty(spec.schedulingGates), 'schedulingGates');
  flag(spec.setHostnameAsFQDN === true, 'setHostnameAsFQDN');
  flag(set((spec as unknown as Obj).hostnameOverride), 'hostnameOverride');
  flag(spec.os?.name === 'windows', 'os.name');
  return out;
}

/** All the unimplemented features a (defaulted, well-typed) pod asks for. */
export function findNotImplemented(pod: Pod): FieldError[] {
  const spec = pod.spec ?? ({} as PodSpec);
  const out = specGaps(spec);
  // Finalizers hold a deleted object until a controller removes them; tinylet has no such controller.
  if (nonEmpty(pod.metadata?.finalizers)) out.push(notImplemented('metadata.finalizers'));
  // The kubelet still honours the deprecated per-container AppArmor annotations.
  for (const [k, v] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && v !== 'unconfined') out.push(notImplemented(key('metadata.annotations', k), 'AppArmor'));
  }
  const hostUsers = spec.hostUsers !== false;
  (spec.initContainers ?? []).forEach((c, i) => out.push(...containerGaps(c, index('spec.initContainers', i), true, hostUsers)));
  (spec.containers ?? []).forEach((c, i) => out.push(...containerGaps(c, index('spec.containers', i), false, hostUsers)));
  (spec.volumes ?? []).forEach((v, i) => out.push(...volumeGaps(v, index('spec.volumes', i))));
  return out;
}

import type { Container, Pod } from '../api/types.js';
import type { ProcessSecurity } from '../runtime/containerSpec.js';
import type { ImageConfig } from '../runtime/images/imageConfig.js';
import { compileSeccomp, loadLocalhostProfile, runtimeDefaultProfile } from '../runtime/security/seccomp.js';
import { CreateContainerError } from './createContainerError.js';
import { capabilityNames, effectiveSecurity, SecurityConfigError, verifyRunAsNonRoot } from './securityContext.js';

export interface SecurityOptions {
  /** The kubelet's --seccomp-default: RuntimeDefault for containers that ask for no profile. */
  seccompDefault: boolean;
  /** Where Localhost seccomp profiles live (the kubelet's <root-dir>/seccomp). */
  seccompRoot: string;
}

/**
 * What the container runtime is told about the process, from the pod's and container's
 * securityContext and the image's USER: the kubelet's checks fail the start as it fails it
 * (runAsNonRoot: CreateContainerConfigError; a bad capability or profile: CreateContainerError).
 */
export function processSecurity(pod: Pod, container: Container, image: ImageConfig, opts: SecurityOptions): ProcessSecurity {
  let sec;
  try {
    sec = effectiveSecurity(pod, container, { seccompDefault: opts.seccompDefault });
  } catch (err) {
    if (err instanceof SecurityConfigError) throw new CreateContainerError(err.reason, err.message);
    throw err;
  }
  const nonRoot = verifyRunAsNonRoot(pod, container, sec, image.user);
  if (nonRoot) throw new CreateContainerError('CreateContainerConfigError', nonRoot);
  let seccomp: string[] = [];
  if (sec.seccomp.type !== 'Unconfined') {
    try {
      const profile = sec.seccomp.type === 'RuntimeDefault' ? runtimeDefaultProfile() : loadLocalhostProfile(opts.seccompRoot, sec.seccomp.localhostProfile ?? '');
      seccomp = compileSeccomp(profile, capabilityNames(sec.capabilities), process.arch);
    } catch (err) {
      throw new CreateContainerError('CreateContainerError', (err as Error).message);
    }
  }
  return {
    privileged: sec.privileged,
    capabilities: sec.capabilities,
    noNewPrivs: sec.noNewPrivs,
    readOnlyRootFilesystem: sec.readOnlyRootFilesystem,
    seccomp,
    ...(image.user ? { imageUser: image.user } : {}),
    ...(sec.uid !== undefined ? { uid: sec.uid } : {}),
    ...(sec.gid !== undefined ? { gid: sec.gid } : {}),
    supplementalGroups: sec.supplementalGroups,
    groupsStrict: sec.supplementalGroupsPolicy === 'Strict',
  };
}

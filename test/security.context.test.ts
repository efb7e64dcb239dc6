import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '../src/api/types.js';
import {
  CAPABILITIES,
  DEFAULT_CAPABILITIES,
  SecurityConfigError,
  capabilityNames,
  effectiveSecurity,
  verifyRunAsNonRoot,
} from '../src/kubelet/securityContext.js';

type PodSC = NonNullable<NonNullable<Pod['spec']>['securityContext']> & { supplementalGroupsPolicy?: string };
const mkPod = (sc: PodSC = {}, container: Container['securityContext'] = undefined): { pod: Pod; c: Container } => {
  const c: Container = { name: 'app', image: 'busybox', ...(container ? { securityContext: container } : {}) };
  return { pod: { metadata: { name: 'web', namespace: 'default', uid: 'u-1' }, spec: { securityContext: sc, containers: [c] } }, c };
};
const resolve = (sc: PodSC = {}, csc?: Container['securityContext'], seccompDefault = false) => {
  const { pod, c } = mkPod(sc, csc);
  return effectiveSecurity(pod, c, { seccompDefault });
};
const caps = (csc?: Container['securityContext']) => capabilityNames(resolve({}, csc).capabilities);
const sorted = (names: readonly string[]) => [...names].sort((a, b) => CAPABILITIES.find((c) => c.name === a)!.number - CAPABILITIES.find((c) => c.name === b)!.number);

describe('capability table', () => {
  it('numbers CAP_CHOWN 0 to CAP_CHECKPOINT_RESTORE 40', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(CAPABILITIES[0]).toEqual({ name: 'CAP_CHOWN', number: 0 });
    expect(CAPABILITIES[21]).toEqual({ name: 'CAP_SYS_ADMIN', number: 21 });
    expect(CAPABILITIES[40]).toEqual({ name: 'CAP_CHECKPOINT_RESTORE', number: 40 });
    expect(capabilityNames([13, 0])).toEqual(['CAP_NET_RAW', 'CAP_CHOWN']);
  });
});

describe('capabilities (containerd WithCapabilities / WithPrivileged)', () => {
  it('starts from the default set', () => {
    expect(caps()).toEqual(sorted(DEFAULT_CAPABILITIES));
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
  });

  it('adds then drops single capabilities, with or without CAP_, in any case', () => {
    expect(caps({ capabilities: { add: ['net_admin', 'CAP_SYS_TIME'], drop: ['NET_RAW', 'cap_kill'] } })).toEqual(
      sorted([...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_NET_RAW' && c !== 'CAP_KILL'), 'CAP_NET_ADMIN', 'CAP_SYS_TIME']),
    );
    // A capability both added and dropped ends up dropped.
    expect(caps({ capabilities: { add: ['NET_ADMIN'], drop: ['NET_ADMIN'] } })).not.toContain('CAP_NET_ADMIN');
  });

  it('drop ALL leaves only the single adds', () => {
    expect(caps({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(caps({ capabilities: { drop: ['all'] } })).toEqual([]);
  });

  it('add ALL gives every capability but the single drops', () => {
    const all = caps({ capabilities: { add: ['ALL'], drop: ['CHOWN'] } });
    expect(all).toHaveLength(40);
    expect(all).not.toContain('CAP_CHOWN');
  });

  it('add ALL with drop ALL is only the single adds (ALL applies first, add before drop)', () => {
    expect(caps({ capabilities: { add: ['ALL', 'KILL'], drop: ['ALL'] } })).toEqual(['CAP_KILL']);
  });

  it('privileged gets every capability and ignores add and drop', () => {
    const sec = resolve({}, { privileged: true, capabilities: { drop: ['ALL'] } });
    expect(sec.privileged).toBe(true);
    expect(sec.capabilities).toEqual(CAPABILITIES.map((c) => c.number));
  });

  it('refuses an unknown capability', () => {
    expect(() => resolve({}, { capabilities: { add: ['FLY'] } })).toThrow(SecurityConfigError);
    expect(() => resolve({}, { capabilities: { drop: ['cap_fly'] } })).toThrow('unknown capability "CAP_FLY"');
    expect(() => resolve({}, { capabilities: { add: ['CAP_ALL'] } })).toThrow('unknown capability "CAP_ALL"');
  });
});

describe('pod and container precedence', () => {
  it('takes the container value over the pod value', () => {
    const sec = resolve({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true }, { runAsUser: 2000, runAsNonRoot: false });
    expect(sec).toMatchObject({ uid: 2000, gid: 1000, runAsNonRoot: false });
  });

  it('leaves uid and gid to the image when nobody sets them', () => {
    const sec = resolve();
    expect(sec.uid).toBeUndefined();
    expect(sec.gid).toBeUndefined();
    expect(sec).toMatchObject({ runAsNonRoot: false, privileged: false, readOnlyRootFilesystem: false, noNewPrivs: false, procMount: 'Default' });
  });

  it('passes fsGroup then supplementalGroups without repeats, with the groups policy', () => {
    const sec = resolve({ supplementalGroups: [3000, 2000, 3000], fsGroup: 2000, supplementalGroupsPolicy: 'Strict' });
    expect(sec.supplementalGroups).toEqual([2000, 3000]);
    expect(sec.supplementalGroupsPolicy).toBe('Strict');
    expect(resolve().supplementalGroupsPolicy).toBe('Merge');
  });

  it('takes readOnlyRootFilesystem from the container', () => {
    expect(resolve({}, { readOnlyRootFilesystem: true }).readOnlyRootFilesystem).toBe(true);
  });
});

describe('noNewPrivs (AddNoNewPrivileges)', () => {
  it('is set only by an explicit allowPrivilegeEscalation: false', () => {
    expect(resolve({}, { allowPrivilegeEscalation: false }).noNewPrivs).toBe(true);
    expect(resolve({}, { allowPrivilegeEscalation: true }).noNewPrivs).toBe(false);
    expect(resolve({}, {}).noNewPrivs).toBe(false);
    expect(resolve({ runAsNonRoot: true }).noNewPrivs).toBe(false);
  });
});

describe('seccomp', () => {
  it('is Unconfined by default and RuntimeDefault with --seccomp-default', () => {
    expect(resolve().seccomp).toEqual({ type: 'Unconfined' });
    expect(resolve({}, undefined, true).seccomp).toEqual({ type: 'RuntimeDefault' });
  });

  it('an explicit Unconfined stays Unconfined with --seccomp-default', () => {
    expect(resolve({ seccompProfile: { type: 'Unconfined' } }, undefined, true).seccomp).toEqual({ type: 'Unconfined' });
  });

  it('takes the container profile over the pod profile', () => {
    expect(resolve({ seccompProfile: { type: 'RuntimeDefault' } }, { seccompProfile: { type: 'Localhost', localhostProfile: 'audit.json' } }).seccomp).toEqual({
      type: 'Localhost',
      localhostProfile: 'audit.json',
    });
    expect(resolve({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, {}).seccomp).toEqual({ type: 'Localhost', localhostProfile: 'p.json' });
  });

  it('is Unconfined for a privileged container, whatever was asked', () => {
    expect(resolve({ seccompProfile: { type: 'RuntimeDefault' } }, { privileged: true }, true).seccomp).toEqual({ type: 'Unconfined' });
  });

  it('stops at a Localhost profile without a name, as the kubelet does', () => {
    try {
      resolve({}, { seccompProfile: { type: 'Localhost', localhostProfile: '' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SecurityConfigError);
      expect((err as SecurityConfigError).reason).toBe('CreateContainerConfigError');
      expect((err as Error).message).toBe('localhostProfile must be set if seccompProfile type is Localhost.');
    }
  });
});

describe('verifyRunAsNonRoot', () => {
  const where = '(pod: "web_default(u-1)", container: app)';
  const verify = (sc: PodSC, csc: Container['securityContext'], imageUser: string | undefined) => {
    const { pod, c } = mkPod(sc, csc);
    return verifyRunAsNonRoot(pod, c, effectiveSecurity(pod, c, { seccompDefault: false }), imageUser);
  };

  it('does nothing without runAsNonRoot', () => {
    expect(verify({}, { runAsUser: 0 }, '')).toBeUndefined();
  });

  it('refuses runAsUser 0', () => {
    expect(verify({ runAsNonRoot: true }, { runAsUser: 0 }, '1000')).toBe(`container's runAsUser breaks non-root policy ${where}`);
    expect(verify({ runAsNonRoot: true, runAsUser: 0 }, {}, undefined)).toBe(`container's runAsUser breaks non-root policy ${where}`);
  });

  it('trusts a non-zero runAsUser over the image', () => {
    expect(verify({ runAsNonRoot: true }, { runAsUser: 1000 }, 'root')).toBeUndefined();
  });

  it('refuses an image that runs as root', () => {
    for (const user of [undefined, '', '0', '0:0', ':1000']) {
      expect(verify({}, { runAsNonRoot: true }, user)).toBe(`container has runAsNonRoot and image will run as root ${where}`);
    }
  });

  it('cannot verify a non-numeric image user', () => {
    expect(verify({ runAsNonRoot: true }, {}, 'nobody:nogroup')).toBe(
      `container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root ${where}`,
    );
  });

  it('accepts a numeric non-root image user, and refuses an out-of-range one', () => {
    expect(verify({ runAsNonRoot: true }, {}, '65534:65534')).toBeUndefined();
    expect(verify({ runAsNonRoot: true }, {}, '4294967296')).toBe(
      `container has runAsNonRoot and image has an invalid user id (4294967296). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive ${where}`,
    );
  });
});

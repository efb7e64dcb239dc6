import { describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { SAFE_SYSCTLS, admitPod, checkAllowedUnsafeSysctls, podSysctls, sysctlNamespace } from '../src/kubelet/admission.js';

type Spec = NonNullable<Pod['spec']>;
const mk = (spec: Partial<Spec> = {}, extra: Partial<Pod> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
  status: { phase: 'Pending' },
  ...extra,
});
const withSysctls = (names: string[], spec: Partial<Spec> = {}) => mk({ securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) }, ...spec });
const admit = (pod: Pod, allowedUnsafeSysctls: string[] = [], appArmorEnabled?: boolean) =>
  admitPod(pod, { allowedUnsafeSysctls, ...(appArmorEnabled !== undefined ? { appArmorEnabled } : {}) });

describe('sysctl admission', () => {
  it('admits pods without sysctls and with safe ones', () => {
    expect(admit(mk())).toBeUndefined();
    expect(admit(withSysctls([...SAFE_SYSCTLS]))).toBeUndefined();
    expect(admit(withSysctls(['net/ipv4/ip_local_port_range']))).toBeUndefined();
  });

  it('refuses a sysctl that is not allowlisted', () => {
    expect(admit(withSysctls(['kernel.shm_rmid_forced', 'net.core.somaxconn']))).toEqual({
      reason: 'SysctlForbidden',
      message: 'forbidden sysctl: "net.core.somaxconn" not allowlisted',
    });
  });

  it('admits unsafe sysctls the node allows, by name or by prefix', () => {
    expect(admit(withSysctls(['net.core.somaxconn', 'kernel.msgmax']), ['net.core.*', 'kernel.msgmax'])).toBeUndefined();
    expect(admit(withSysctls(['net.ipv4.tcp_max_syn_backlog']), ['net.core.*'])).toEqual({
      reason: 'SysctlForbidden',
      message: 'forbidden sysctl: "net.ipv4.tcp_max_syn_backlog" not allowlisted',
    });
  });

  it('refuses a net sysctl with hostNetwork and an IPC one with hostIPC', () => {
    expect(admit(withSysctls(['net.ipv4.tcp_syncookies'], { hostNetwork: true }))).toEqual({
      reason: 'SysctlForbidden',
      message: 'forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host Net enabled',
    });
    expect(admit(withSysctls(['kernel.shm_rmid_forced'], { hostIPC: true }))).toEqual({
      reason: 'SysctlForbidden',
      message: 'forbidden sysctl: "kernel.shm_rmid_forced" not allowed with host IPC enabled',
    });
    expect(admit(withSysctls(['fs.mqueue.msg_max'], { hostIPC: true }), ['fs.mqueue.*'])?.message).toBe(
      'forbidden sysctl: "fs.mqueue.msg_max" not allowed with host IPC enabled',
    );
    expect(admit(withSysctls(['kernel.shm_rmid_forced'], { hostNetwork: true }))).toBeUndefined();
  });

  it('reports the kubelet startup error for a bad --allowed-unsafe-sysctls', () => {
    expect(checkAllowedUnsafeSysctls(['net.core.*', 'kernel.msgmax'])).toBeUndefined();
    expect(checkAllowedUnsafeSysctls(['vm.swappiness'])).toBe('the sysctls "vm.swappiness" are not known to be namespaced');
    expect(checkAllowedUnsafeSysctls(['kernel.*'])).toBe('the sysctls "kernel." are not known to be namespaced');
    expect(checkAllowedUnsafeSysctls(['Net.*'])).toMatch(/^sysctl "Net\.\*" must have at most 253 characters and match regex /);
    expect(() => admit(withSysctls(['kernel.sem']), ['vm.*'])).toThrow('not known to be namespaced');
  });
});

describe('AppArmor admission', () => {
  const msg = { reason: 'AppArmor', message: 'Cannot enforce AppArmor: AppArmor is not enabled on the host' };

  it('refuses RuntimeDefault or Localhost profiles on a host without AppArmor', () => {
    expect(admit(mk({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }))).toEqual(msg);
    expect(admit(mk({ containers: [{ name: 'a', image: 'x', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-deny' } } }] }))).toEqual(msg);
    expect(admit(mk({}, { metadata: { name: 'p', annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' } } }))).toEqual(msg);
  });

  it('admits Unconfined, a host with AppArmor, and pods past Pending', () => {
    expect(admit(mk({ securityContext: { appArmorProfile: { type: 'Unconfined' } } }))).toBeUndefined();
    expect(admit(mk({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }), [], true)).toBeUndefined();
    expect(admit(mk({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }, { status: { phase: 'Running' } }))).toBeUndefined();
  });

  it('checks sysctls before AppArmor', () => {
    const pod = mk({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'vm.swappiness', value: '1' }] } });
    expect(admit(pod)?.reason).toBe('SysctlForbidden');
  });
});

describe('podSysctls', () => {
  it('returns the sysctls in spec order, dotted, with their namespaces known', () => {
    const pod = mk({ securityContext: { sysctls: [{ name: 'net/ipv4/conf/eno2.100/rp_filter', value: '0' }, { name: 'kernel.shm_rmid_forced', value: '1' }] } });
    expect(podSysctls(pod)).toEqual([
      { name: 'net.ipv4.conf.eno2/100.rp_filter', value: '0' },
      { name: 'kernel.shm_rmid_forced', value: '1' },
    ]);
    expect(podSysctls(mk())).toEqual([]);
    expect(sysctlNamespace('net.ipv4.conf.eno2/100.rp_filter')).toBe('Net');
    expect(sysctlNamespace('kernel.shm_rmid_forced')).toBe('IPC');
    expect(sysctlNamespace('fs.mqueue.queues_max')).toBe('IPC');
    expect(sysctlNamespace('vm.swappiness')).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSeccomp, kernelAtLeast, loadLocalhostProfile, runtimeDefaultProfile, type SeccompProfile } from '../src/runtime/security/seccomp.js';
import { CLONE_NAMESPACE_FLAGS, runtimeDefaultAllowed } from '../src/runtime/security/seccompDefault.js';

// Docker's default capability set, which a Kubernetes container gets unless it adds or drops some.
const DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
const rules = (lines: string[], name: string) => lines.filter((l) => l.split(' ')[2] === name);

describe('RuntimeDefault (containerd DefaultProfile)', () => {
  const plain = compileSeccomp(runtimeDefaultProfile(), DEFAULT_CAPS, 'x64');
  const admin = compileSeccomp(runtimeDefaultProfile(), [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'], 'x64');

  it('compiles to an EPERM default, the amd64 compat arches and the allow list', () => {
    expect(plain[0]).toBe('default errno:1');
    expect(plain.filter((l) => l.startsWith('arch '))).toEqual(['arch x86', 'arch x32']);
    expect(runtimeDefaultAllowed.length).toBe(346);
    for (const name of ['read', 'write', 'execve', 'mkdir', 'socket', 'io_uring_setup', 'arch_prctl', 'chroot']) expect(rules(plain, name)).toEqual([`rule allow ${name}`]);
    expect(plain.every((l) => /^(default \S+|arch \w+|rule \S+ \w+( \d:[A-Z_]+:\d+(:\d+)?)*)$/.test(l))).toBe(true);
    expect(new Set(plain).size).toBe(plain.length);
  });

  it('allows mount, unshare, setns, bpf only with CAP_SYS_ADMIN', () => {
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'bpf', 'sethostname', 'syslog']) {
      expect(rules(plain, name)).toEqual([]);
      expect(rules(admin, name)).toEqual([`rule allow ${name}`]);
    }
    expect(rules(plain, 'reboot')).toEqual([]);
    expect(rules(compileSeccomp(runtimeDefaultProfile(), ['CAP_SYS_BOOT']), 'reboot')).toEqual(['rule allow reboot']);
    expect(rules(compileSeccomp(runtimeDefaultProfile(), ['CAP_BPF']), 'bpf')).toEqual(['rule allow bpf']);
    expect(rules(compileSeccomp(runtimeDefaultProfile(), ['CAP_SYS_NICE']), 'mbind')).toEqual(['rule allow mbind']);
    expect(rules(compileSeccomp(runtimeDefaultProfile(), ['SYS_TIME']), 'clock_settime')).toEqual(['rule allow clock_settime']);
  });

  it('allows clone without CAP_SYS_ADMIN only without namespace flags, and clone3 gives ENOSYS', () => {
    expect(CLONE_NAMESPACE_FLAGS).toBe(2114060288);
    expect(rules(plain, 'clone')).toEqual(['rule allow clone 0:MASKED_EQ:2114060288:0']);
    expect(rules(plain, 'clone3')).toEqual(['rule errno:38 clone3']);
    expect(rules(admin, 'clone')).toEqual(['rule allow clone']);
    expect(rules(admin, 'clone3')).toEqual(['rule allow clone3']);
    // s390 swaps clone's first two arguments.
    expect(rules(compileSeccomp(runtimeDefaultProfile(), [], 's390x'), 'clone')).toEqual(['rule allow clone 1:MASKED_EQ:2114060288:0']);
  });

  it('allows personality only with the five known values, one rule each (ORed)', () => {
    expect(rules(plain, 'personality')).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff].map((v) => `rule allow personality 0:EQ:${v}`));
  });

  it('picks the arch groups and compat arches of the node arch', () => {
    const arm = compileSeccomp(runtimeDefaultProfile(), [], 'arm64');
    expect(arm.filter((l) => l.startsWith('arch '))).toEqual(['arch arm']);
    expect(rules(arm, 'set_tls')).toEqual(['rule allow set_tls']);
    expect(rules(arm, 'arch_prctl')).toEqual([]);
    expect(rules(plain, 'set_tls')).toEqual([]);
  });

  it('allows ptrace without CAP_SYS_PTRACE from kernel 4.8 on', () => {
    expect(kernelAtLeast('4.8', '4.8.0')).toBe(true);
    expect(kernelAtLeast('4.8', '4.19.0-26-amd64')).toBe(true);
    expect(kernelAtLeast('4.8', '4.7.10')).toBe(false);
    expect(kernelAtLeast('4.8', '3.10.0-1160.el7.x86_64')).toBe(false);
    expect(kernelAtLeast('5.4.2', '5.4.1')).toBe(false);
    if (kernelAtLeast('4.8')) expect(rules(plain, 'ptrace')).toEqual(['rule allow ptrace']);
    expect(rules(plain, 'kcmp')).toEqual([]);
    expect(rules(compileSeccomp(runtimeDefaultProfile(), ['CAP_SYS_PTRACE']), 'kcmp')).toEqual(['rule allow kcmp']);
  });
});

describe('compileSeccomp on OCI/Docker profiles', () => {
  it('maps actions, errno defaults and ops', () => {
    const lines = compileSeccomp(
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
          { names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
          { names: ['reboot'], action: 'SCMP_ACT_KILL_PROCESS' },
          { names: ['kexec_load'], action: 'SCMP_ACT_KILL' },
          { names: ['acct'], action: 'SCMP_ACT_TRACE' },
          { names: ['swapon'], action: 'SCMP_ACT_LOG' },
          { name: 'swapoff', action: 'SCMP_ACT_TRAP' },
          { names: ['read'], action: 'SCMP_ACT_ALLOW' }, // same as the default: dropped
          { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }, { index: 0, value: 1, op: 'SCMP_CMP_LE' }] },
        ],
      },
      [],
    );
    expect(lines).toEqual([
      'default allow',
      'rule errno:1 mkdir',
      'rule errno:1 mkdirat',
      'rule errno:13 chmod',
      'rule kill_process reboot',
      'rule kill kexec_load',
      'rule trace:1 acct',
      'rule log swapon',
      'rule trap swapoff',
      'rule errno:1 kill 1:EQ:9 0:LE:1',
    ]);
    expect(compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }, [])).toEqual(['default errno:38']);
  });

  it('splits conditions sharing an argument index into separate rules, as runc does', () => {
    const lines = compileSeccomp(
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }, { index: 1, value: 3, op: 'SCMP_CMP_NE' }] }],
      },
      [],
    );
    expect(lines.slice(1)).toEqual(['rule allow socket 0:EQ:1', 'rule allow socket 0:EQ:2', 'rule allow socket 1:NE:3']);
  });

  it('applies includes/excludes and architectures', () => {
    const p: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [
        { names: ['a1'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] } }, // needs both
        { names: ['a2'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['a3'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
        { names: ['a4'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
        { names: ['a5'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '99.0' } },
      ],
    };
    expect(compileSeccomp(p, ['CAP_SYS_ADMIN'], 'x64')).toEqual(['default errno:1', 'arch x86']);
    expect(compileSeccomp(p, ['CAP_NET_ADMIN'], 'arm64')).toEqual(['default errno:1', 'arch x86_64', 'arch x86', 'rule allow a2', 'rule allow a3', 'rule allow a4']);
    expect(compileSeccomp(p, ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'], 'x64')).toContain('rule allow a1');
  });

  it('refuses unknown actions, ops and argument indexes', () => {
    expect(() => compileSeccomp({ defaultAction: 'SCMP_ACT_NOTIFY' }, [])).toThrow(/unsupported defaultAction/);
    const bad = (args: unknown) => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ERRNO', args }] } as SeccompProfile, []);
    expect(() => bad([{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }])).toThrow(/index must be 0-5/);
    expect(() => bad([{ index: 0, value: 0, op: 'SCMP_CMP_XX' }])).toThrow(/unsupported op/);
    expect(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, [])).toThrow(/unknown architecture/);
  });
});

describe('Localhost profiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'tinylet-seccomp-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'profiles'));

  it('round-trips a profile file under the seccomp root', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    };
    writeFileSync(join(root, 'profiles', 'no-mkdir.json'), JSON.stringify(profile));
    const loaded = loadLocalhostProfile(root, 'profiles/no-mkdir.json');
    expect(loaded).toEqual(profile);
    expect(compileSeccomp(loaded, [], 'x64')).toEqual(['default allow', 'arch x86', 'arch x32', 'rule errno:1 mkdir', 'rule errno:1 mkdirat']);
  });

  it('rejects a path that leaves the root', () => {
    for (const p of ['../etc/passwd', 'profiles/../../x.json', '/etc/passwd', '']) expect(() => loadLocalhostProfile(root, p)).toThrow(/must be a relative path inside .* without "\.\."/);
  });

  it('names the file when it is missing or malformed', () => {
    const file = join(root, 'profiles', 'broken.json');
    writeFileSync(file, '{"defaultAction": "SCMP_ACT_ALLOW", ');
    expect(() => loadLocalhostProfile(root, 'profiles/broken.json')).toThrow(
      `failed to generate seccomp spec opts: cannot load seccomp profile "${file}": decoding seccomp profile failed:`,
    );
    writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_DENY' }] }));
    expect(() => loadLocalhostProfile(root, 'profiles/broken.json')).toThrow(`cannot load seccomp profile "${file}": syscalls[0]: unsupported action "SCMP_ACT_DENY"`);
    const missing = join(root, 'profiles', 'missing.json');
    expect(() => loadLocalhostProfile(root, 'profiles/missing.json')).toThrow(`cannot load seccomp profile "${missing}": open ${missing}: no such file or directory`);
  });
});

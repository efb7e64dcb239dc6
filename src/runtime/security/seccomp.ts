import { readFileSync } from 'node:fs';
import { endianness, release } from 'node:os';
import { isAbsolute, join } from 'node:path';

/*
 * Seccomp for containers, as containerd applies it for `seccompProfile: {type: RuntimeDefault}` and
 * `{type: Localhost}`: a profile in the OCI/Docker JSON format is resolved here against the
 * container's capabilities and the node's arch, and compiled to the text lines agent/seccomp.c loads
 * with libseccomp (see agent/seccomp.h for the format).
 */

/** The OCI (runtime-spec `linux.seccomp`) / Docker JSON seccomp profile. Unknown keys are ignored. */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** OCI: every architecture the filter covers (the native one is always covered). */
  architectures?: string[] | null;
  /** Docker: the native architecture's entry brings its sub-architectures. */
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  /** OCI flags (SECCOMP_FILTER_FLAG_LOG, ...): accepted and not applied, they only tune logging/speed. */
  flags?: string[] | null;
  syscalls?: SeccompSyscall[] | null;
}

export interface SeccompSyscall {
  names?: string[] | null;
  /** Docker's older single-name form. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  /** All listed caps must be held, the node arch (GOARCH name) must be listed, the kernel at least minKernel. */
  includes?: { caps?: string[] | null; arches?: string[] | null; minKernel?: string };
  /** Skipped when any listed cap is held or the node arch is listed. */
  excludes?: { caps?: string[] | null; arches?: string[] | null };
  comment?: string;
}

/** One argument condition; for SCMP_CMP_MASKED_EQ, `value` is the mask and `valueTwo` the wanted result. */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export { runtimeDefaultProfile } from './seccompDefault.js';

const EPERM = 1;

/** OCI action names to the launcher's; errno and trace take a number (errnoRet, EPERM by default). */
const ACTIONS: Record<string, string> = {
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill', // the OCI spec's KILL kills the thread, as runc maps it
  SCMP_ACT_KILL_THREAD: 'kill',
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_LOG: 'log',
  SCMP_ACT_TRACE: 'trace',
};

const OPS: Record<string, string> = {
  SCMP_CMP_NE: 'NE',
  SCMP_CMP_LT: 'LT',
  SCMP_CMP_LE: 'LE',
  SCMP_CMP_EQ: 'EQ',
  SCMP_CMP_GE: 'GE',
  SCMP_CMP_GT: 'GT',
  SCMP_CMP_MASKED_EQ: 'MASKED_EQ',
};

/** OCI arch names; libseccomp's name is the suffix in lower case (SCMP_ARCH_X86_64 -> x86_64). */
const ARCHES = new Set(
  'X86 X86_64 X32 ARM AARCH64 MIPS MIPS64 MIPS64N32 MIPSEL MIPSEL64 MIPSEL64N32 PPC PPC64 PPC64LE S390 S390X PARISC PARISC64 RISCV64 LOONGARCH64'
    .split(' ')
    .map((a) => `SCMP_ARCH_${a}`),
);

/** Node's process.arch to Go's GOARCH (the names profiles' includes/excludes.arches use). */
const NODE_TO_GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', mips64el: 'mips64le', mipsel: 'mipsle' };
/** GOARCH to the OCI name of the native architecture. */
const GOARCH_TO_OCI: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', '386': 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64',
  mips: 'SCMP_ARCH_MIPS', mipsle: 'SCMP_ARCH_MIPSEL', mips64: 'SCMP_ARCH_MIPS64', mips64le: 'SCMP_ARCH_MIPSEL64',
  ppc64: 'SCMP_ARCH_PPC64', ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

function goArch(arch: string): string {
  // Node calls both POWER flavours ppc64; Linux on POWER is little-endian nearly always.
  if (arch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return NODE_TO_GOARCH[arch] ?? arch;
}

/** Whether the running kernel (os.release(), e.g. "6.1.0-18-amd64") is at least `min` ("4.8"). */
export function kernelAtLeast(min: string, kernelRelease: string = release()): boolean {
  const want = min.split('.').map(Number);
  const have = (kernelRelease.match(/^\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    const h = have[i] ?? 0;
    if (h !== want[i]) return h > (want[i] ?? 0);
  }
  return true;
}

/** Why `p` is not a usable profile, or undefined. Checked on load (naming the file) and on compile. */
export function checkSeccompProfile(p: unknown): string | undefined {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isUint = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const strList = (v: unknown): boolean => v == null || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  const badArch = (v: unknown): unknown => (v as string[] | null | undefined)?.find((a) => !ARCHES.has(a));
  if (!isObj(p)) return 'the profile is not a JSON object';
  if (typeof p.defaultAction !== 'string' || !(p.defaultAction in ACTIONS)) return `unsupported defaultAction ${JSON.stringify(p.defaultAction)}`;
  if (p.defaultErrnoRet != null && !isUint(p.defaultErrnoRet)) return 'defaultErrnoRet must be a non-negative integer';
  if (!strList(p.architectures) || badArch(p.architectures)) return `unknown architecture ${JSON.stringify(badArch(p.architectures) ?? p.architectures)}`;
  if (p.archMap != null && !Array.isArray(p.archMap)) return 'archMap must be a list';
  for (const m of (p.archMap ?? []) as unknown[]) {
    if (!isObj(m) || !ARCHES.has(m.architecture as string) || !strList(m.subArchitectures) || badArch(m.subArchitectures))
      return `bad archMap entry ${JSON.stringify(m)}`;
  }
  if (p.syscalls != null && !Array.isArray(p.syscalls)) return 'syscalls must be a list';
  for (const [i, s] of ((p.syscalls ?? []) as unknown[]).entries()) {
    const at = `syscalls[${i}]`;
    if (!isObj(s)) return `${at} is not an object`;
    if (!strList(s.names) || (s.name != null && typeof s.name !== 'string')) return `${at}.names must be a list of syscall names`;
    if (s.name != null && s.names != null && (s.names as string[]).length > 0) return `${at}: use either name or names`;
    if (typeof s.action !== 'string' || !(s.action in ACTIONS)) return `${at}: unsupported action ${JSON.stringify(s.action)}`;
    if (s.errnoRet != null && !isUint(s.errnoRet)) return `${at}.errnoRet must be a non-negative integer`;
    if (s.args != null && !Array.isArray(s.args)) return `${at}.args must be a list`;
    for (const [j, a] of ((s.args ?? []) as unknown[]).entries()) {
      if (!isObj(a) || !isUint(a.index) || (a.index as number) > 5) return `${at}.args[${j}].index must be 0-5`;
      if (!isUint(a.value) || (a.valueTwo != null && !isUint(a.valueTwo))) return `${at}.args[${j}]: value and valueTwo must be non-negative integers below 2^53`;
      if (typeof a.op !== 'string' || !(a.op in OPS)) return `${at}.args[${j}]: unsupported op ${JSON.stringify(a.op)}`;
    }
    for (const key of ['includes', 'excludes'] as const) {
      const f = s[key];
      if (f == null) continue;
      if (!isObj(f) || !strList(f.caps) || !strList(f.arches)) return `${at}.${key} must hold lists of caps and arches`;
      if (key === 'includes' && f.minKernel != null && !/^\d+\.\d+(\.\d+)?$/.test(String(f.minKernel))) return `${at}.includes.minKernel must look like "4.8"`;
    }
  }
  return undefined;
}

/** A Localhost profile: <root>/<relativePath>, JSON in the format above; errors name the file. */
export function loadLocalhostProfile(root: string, relativePath: string): SeccompProfile {
  // The API server refuses these too; a file outside the seccomp root must never be read.
  if (!relativePath || isAbsolute(relativePath) || relativePath.split(/[\\/]/).includes('..'))
    throw new Error(`seccomp localhostProfile ${JSON.stringify(relativePath)} must be a relative path inside ${root} without ".." components`);
  const file = join(root, relativePath);
  const fail = (reason: string): never => {
    throw new Error(`failed to generate seccomp spec opts: cannot load seccomp profile ${JSON.stringify(file)}: ${reason}`);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory' };
    fail(`open ${file}: ${why[e.code ?? ''] ?? e.message}`);
  }
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch (err) {
    fail(`decoding seccomp profile failed: ${(err as Error).message}`);
  }
  const problem = checkSeccompProfile(profile);
  if (problem) fail(problem);
  return profile as SeccompProfile;
}

function actionLine(action: string, errnoRet: number | undefined): string {
  const a = ACTIONS[action];
  return a === 'errno' || a === 'trace' ? `${a}:${errnoRet ?? EPERM}` : a;
}

/** Conditions as ARG:OP:VALUE[:VALUE2]; VALUE2 only matters (and is only written) for MASKED_EQ. */
function condition(a: SeccompArg): string {
  const op = OPS[a.op];
  return op === 'MASKED_EQ' ? `${a.index}:${op}:${a.value}:${a.valueTwo ?? 0}` : `${a.index}:${op}:${a.value}`;
}

/** The launcher's lines (agent/seccomp.h) for this profile, the container's capability set and the node arch. */
export function compileSeccomp(profile: SeccompProfile, capabilities: readonly string[], arch: string = process.arch): string[] {
  const problem = checkSeccompProfile(profile);
  if (problem) throw new Error(`invalid seccomp profile: ${problem}`);
  const caps = new Set(capabilities.map((c) => (c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`)));
  const go = goArch(arch);
  const native = GOARCH_TO_OCI[go];

  const defaultAction = actionLine(profile.defaultAction, profile.defaultErrnoRet);
  const lines = new Set<string>([`default ${defaultAction}`]);

  // Extra architectures: the OCI list plus, as Docker does, the native arch's archMap entry.
  const arches = [...(profile.architectures ?? [])];
  for (const m of profile.archMap ?? []) if (m.architecture === native) arches.push(m.architecture, ...(m.subArchitectures ?? []));
  for (const a of arches) if (a !== native) lines.add(`arch ${a.slice('SCMP_ARCH_'.length).toLowerCase()}`);

  for (const call of profile.syscalls ?? []) {
    // includes/excludes as Docker/containerd evaluate them.
    const inc = call.includes ?? {};
    const exc = call.excludes ?? {};
    if (inc.caps?.some((c) => !caps.has(c))) continue;
    if (inc.arches?.length && !inc.arches.includes(go)) continue;
    if (inc.minKernel && !kernelAtLeast(inc.minKernel)) continue;
    if (exc.caps?.some((c) => caps.has(c))) continue;
    if (exc.arches?.includes(go)) continue;

    const action = actionLine(call.action, call.errnoRet);
    // libseccomp refuses a rule whose action is the default; it would change nothing anyway.
    if (action === defaultAction) continue;
    const args = call.args ?? [];
    // runc's matchCall: libseccomp cannot AND two conditions on one argument, so when an index
    // repeats every condition becomes a rule of its own (ORed); otherwise one rule ANDs them all.
    const indexes = args.map((a) => a.index);
    const repeated = new Set(indexes).size !== indexes.length;
    const conditionSets = repeated ? args.map((a) => [condition(a)]) : [args.map(condition)];
    const names = call.names?.length ? call.names : call.name ? [call.name] : [];
    for (const name of names) {
      for (const conds of conditionSets) lines.add(['rule', action, name, ...conds].join(' '));
    }
  }
  return [...lines];
}

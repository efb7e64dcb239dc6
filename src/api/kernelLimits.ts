// What the Linux kernel refuses when a container starts, as numbers validation can check before a
// pod is accepted (a pod that can never start would otherwise be stored and fail at every start),
// and the runtime uses to write what it does accept. Figures are from fs/exec.c, kernel/sched/core.c
// and mm/page_counter.c, and were checked against the running kernel's cgroup files.

/**
 * execve's limit on one argument or environment string (`NAME=value`), its terminating NUL included:
 * MAX_ARG_STRLEN, 32 pages of 4 KiB. A longer one fails the exec with E2BIG ("argument list too long").
 */
export const MAX_ARG_STRLEN = 131072;

/**
 * What tinylet lets a container's own command, args and env take of the exec budget, counted as the
 * kernel counts it: each string's bytes, its NUL, and the 8-byte pointer to it on the new stack.
 * Linux allows a quarter of the stack limit (RLIMIT_STACK / 4, at most 6 MiB): 2 MiB with the usual
 * 8 MiB stack, which is what `getconf ARG_MAX` reports. Half of that is kept back for what the
 * container gets on top of its spec: the image's env, HOSTNAME, `$(VAR)` expansion, the program path,
 * and a smaller stack limit inherited from the agent's service manager.
 */
export const ARG_ENV_BUDGET_BYTES = 1024 * 1024;

/** The bytes one exec string costs on the new process's stack: UTF-8 bytes, NUL, and the pointer to it. */
export function execStringCost(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1 + 8;
}

/** The CFS period tinylet gives every container (the kubelet's default, 100 ms), in microseconds. */
export const CFS_PERIOD_US = 100_000;

/** The smallest quota the kernel takes (min_cfs_quota_period, 1 ms); the kubelet raises smaller ones to it. */
export const MIN_CFS_QUOTA_US = 1000;

/**
 * The largest quota the kernel takes: max_cfs_runtime = MAX_BW (2^44 - 1, the bandwidth kept in 64 - 20
 * bits) microseconds, about 203 days per period. Anything above is EINVAL from cpu.cfs_quota_us/cpu.max.
 */
export const MAX_CFS_QUOTA_US = 2 ** 44 - 1;

/** The largest cpu limit that fits in one CFS period's quota: 175921860444m, some 176 million cores. */
export const MAX_CPU_MILLIS = Math.floor((MAX_CFS_QUOTA_US * 1000) / CFS_PERIOD_US);

/**
 * The largest meaningful memory limit, 8Ei (2^63 bytes). The kernel keeps a limit in pages, capped at
 * PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE), so anything near 2^63 bytes already means "no limit"; beyond
 * 2^64 - 1 its parser wraps around silently (2^64 becomes a limit of 0).
 */
export const MAX_MEMORY_BYTES = 2 ** 63;

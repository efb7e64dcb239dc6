// What the OCI runtime gives every unprivileged container (containerd's CRI defaults, applied by
// runc): kernel interfaces that leak host information or change host state are masked or read-only.

/** Masked: a directory becomes an empty read-only tmpfs, a file /dev/null. */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Read-only in the container's /proc. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

// resources.limits the kernel cannot take. The API server accepts any quantity, and so would a
// cluster's API, but its kubelet then fails the container at every start (runc: "failed to write
// ... cpu.cfs_quota_us: invalid argument"). Refused here instead, with the kernel's bound in the message.
import type { FieldError } from './fieldErrors.js';
import { invalid, key } from './fieldErrors.js';
import { CFS_PERIOD_US, MAX_CPU_MILLIS, MAX_MEMORY_BYTES } from './kernelLimits.js';
import { quantityValue } from './names.js';

const CPU_BOUND = `must be less than or equal to ${MAX_CPU_MILLIS}m: the kernel's largest CFS quota is 2^44-1 microseconds per ${CFS_PERIOD_US / 1000}ms period`;
const MEMORY_BOUND = 'must be less than or equal to 8Ei: the kernel keeps a memory limit in pages up to 2^63 bytes (and wraps a larger one around)';

export function validateLimitBounds(limits: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const cpu = limits.cpu as string | number | undefined;
  // A malformed quantity (NaN) is reported by the quantity check already.
  if (cpu !== undefined && quantityValue(cpu) * 1000 > MAX_CPU_MILLIS) errs.push(invalid(key(path, 'cpu'), cpu, CPU_BOUND));
  const memory = limits.memory as string | number | undefined;
  if (memory !== undefined && quantityValue(memory) > MAX_MEMORY_BYTES) errs.push(invalid(key(path, 'memory'), memory, MEMORY_BOUND));
  return errs;
}

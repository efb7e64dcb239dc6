import type { Pod } from '../../api/types.js';
import { containerEphemeralStorageMessage, emptyDirMessage, podEphemeralStorageMessage } from './messages.js';
import { containerEphemeralLimit, podEphemeralLimit } from './podLimits.js';
import type { PodStorageStats } from './podStorageStats.js';
import { bytesQuantity, compareQuantity, formatQuantity, parseQuantity, quantityUnits } from './quantity.js';

/**
 * The eviction manager's localStorageEviction for one pod: the message to evict it with, or
 * undefined. The checks run in the kubelet's order, first match wins: an emptyDir over its
 * sizeLimit, the pod's total over the sum of its containers' limits, one app container (layer +
 * logs) over its own. A single-container pod over its limit therefore reads "Pod ephemeral local
 * storage usage exceeds...", as on a real node; the container message needs a pod whose total stays
 * under the sum.
 */
export function localStorageEviction(pod: Pod, stats: PodStorageStats): string | undefined {
  return emptyDirLimitEviction(pod, stats) ?? podEphemeralStorageLimitEviction(pod, stats) ?? containerEphemeralStorageLimitEviction(pod, stats);
}

/** Whether the pod has any limit these checks enforce (pods without one are not walked at all). */
export function hasLocalStorageLimits(pod: Pod): boolean {
  const spec = pod.spec!;
  return podEphemeralLimit(pod) !== undefined || (spec.volumes ?? []).some((v) => v.emptyDir?.sizeLimit !== undefined);
}

function emptyDirLimitEviction(pod: Pod, stats: PodStorageStats): string | undefined {
  for (const v of pod.spec!.volumes ?? []) {
    if (!v.emptyDir) continue;
    const size = parseQuantity(v.emptyDir.sizeLimit as string | number | undefined);
    const used = stats.volumes.get(v.name);
    if (used !== undefined && size && size.nanos > 0n && compareQuantity(bytesQuantity(used), size) > 0) {
      return emptyDirMessage(v.name, formatQuantity(size));
    }
  }
  return undefined;
}

function podEphemeralStorageLimitEviction(pod: Pod, stats: PodStorageStats): string | undefined {
  const limit = podEphemeralLimit(pod);
  if (!limit) return undefined;
  return compareQuantity(bytesQuantity(stats.ephemeral), limit) > 0 ? podEphemeralStorageMessage(formatQuantity(limit)) : undefined;
}

function containerEphemeralStorageLimitEviction(pod: Pod, stats: PodStorageStats): string | undefined {
  // Only spec.containers have thresholds, and a zero limit is none (ephemeralLimit.Value() != 0).
  const thresholds = new Map(
    pod.spec!.containers.flatMap((c) => {
      const q = containerEphemeralLimit(c);
      return q && quantityUnits(q) !== 0n ? [[c.name, q] as const] : [];
    }),
  );
  for (const c of stats.containers) {
    const threshold = thresholds.get(c.name);
    if (threshold && compareQuantity(threshold, bytesQuantity(c.logs + c.rootfs)) < 0) {
      return containerEphemeralStorageMessage(c.name, formatQuantity(threshold));
    }
  }
  return undefined;
}

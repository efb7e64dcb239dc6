import type { Pod } from '../../api/types.js';
import { SOURCE_ANNOTATION } from '../staticPods.js';

/** scheduling.SystemCriticalPriority: system-cluster-critical and system-node-critical are at or above it. */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/**
 * kubelettypes.IsCriticalPod, which evictPod refuses to evict ("cannot evict a critical pod"): a
 * static pod (its config source is not the API; tinylet marks its static pods `file`), a mirror
 * pod, or one whose priority is system-critical. Static pods are not re-admitted after an eviction.
 */
export function isCriticalPod(pod: Pod): boolean {
  const annotations = pod.metadata?.annotations ?? {};
  const source = annotations[SOURCE_ANNOTATION];
  if (source !== undefined && source !== 'api') return true;
  if (annotations['kubernetes.io/config.mirror'] !== undefined) return true;
  return (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
}

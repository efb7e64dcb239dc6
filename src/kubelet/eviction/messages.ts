// The eviction manager's words, from pkg/kubelet/eviction/helpers.go (Go's %q quotes like JSON for
// these plain names and quantities). Each message ends with ". ", as the kubelet writes it.

/** status.reason of an evicted pod, and the reason of its Warning event. */
export const EVICTED_REASON = 'Evicted';

/**
 * The grace period of the limit evictions (immediateEvictionGracePeriodSeconds in
 * eviction_manager.go; 0 before Kubernetes 1.31). The kubelet's killContainer still runs preStop
 * within it and never sends SIGKILL sooner than 2 s after the stop signal (termination.ts does too).
 */
export const IMMEDIATE_EVICTION_GRACE_SECONDS = 1;

/** containerEphemeralStorageMessageFmt */
export const containerEphemeralStorageMessage = (container: string, limit: string) => `Container ${container} exceeded its local ephemeral storage limit ${JSON.stringify(limit)}. `;

/** podEphemeralStorageMessageFmt */
export const podEphemeralStorageMessage = (limit: string) => `Pod ephemeral local storage usage exceeds the total limit of containers ${limit}. `;

/** emptyDirMessageFmt */
export const emptyDirMessage = (volume: string, limit: string) => `Usage of EmptyDir volume ${JSON.stringify(volume)} exceeds the limit ${JSON.stringify(limit)}. `;

import type { ContainerRecord } from './containerRecord.js';

/** Whether a container that just exited with `exitCode` is started again (SEMANTICS §2.2, §3). */
export function shouldRestart(record: ContainerRecord, podPolicy: string, exitCode: number): boolean {
  if (record.restartForSpecChange) {
    // Killed because its spec changed (a new image): restarted whatever the policy.
    record.restartForSpecChange = false;
    return true;
  }
  if (record.role === 'sidecar') return true;
  if (record.role === 'init') return exitCode !== 0 && podPolicy !== 'Never';
  if (podPolicy === 'Always') return true;
  if (podPolicy === 'OnFailure') return exitCode !== 0;
  return false;
}

/** How long a container waits before its first start: a back-off carried over an agent restart, else 0. */
export function resumeDelay(record: ContainerRecord): number {
  const until = record.resumeAt;
  record.resumeAt = undefined;
  return until ? Math.max(0, Math.ceil((until - Date.now()) / 1000) * 1000) : 0;
}

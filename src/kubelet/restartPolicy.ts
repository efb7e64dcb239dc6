import type { ContainerRecord } from './containerRecord.js';

/** Whether a container that just exited with `exitCode` is started again (SEMANTICS §2.2, §3). */
export function shouldRestart(record: ContainerRecord, podPolicy: string, exitCode: number): boolean {
  if (record.role === 'sidecar') return true;
  if (record.role === 'init') return exitCode !== 0 && podPolicy !== 'Never';
  if (podPolicy === 'Always') return true;
  if (podPolicy === 'OnFailure') return exitCode !== 0;
  return false;
}

import { longTimeout } from '../runtime/longTimeout.js';

/** Resolves after `ms` (any length: grace periods and hook sleeps may be years), or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = longTimeout(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    const onAbort = () => {
      timer.clear();
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

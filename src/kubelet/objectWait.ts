// A retry's wait that ends early when an object it waits for changes: a container whose env names a
// missing ConfigMap starts as soon as the ConfigMap is created, not only at the next sync.
import type { PodObjectSource } from './podObjects.js';
import { changeConcerns } from './podObjectsRelay.js';

export type ObjectRef = { kind: 'ConfigMap' | 'Secret'; name: string };

/** True after `ms` or a change of one of `refs` in `namespace`; false when `signal` aborts. */
export function sleepOrObjectChange(objects: PodObjectSource, namespace: string, refs: ObjectRef[], ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (v: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    const unsubscribe = refs.length
      ? objects.onChange((kind, ns, name) => {
          if (refs.some((r) => r.kind === kind && changeConcerns({ namespace: ns, name }, namespace, r.name))) done(true);
        })
      : () => undefined;
    signal.addEventListener('abort', onAbort);
  });
}

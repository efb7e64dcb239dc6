// Durable before acknowledged: a mutating request calls this after the kubelet took the change and
// before it answers, so a SIGKILL right after the reply loses nothing the client was told.
import type { ApiServices } from '../context.js';
import { storeFailure } from '../registry/storage.js';

/** Writes (or removes) the pod's store file now; a failure is this request's 5xx. */
export function commitPod(ctx: { services: Pick<ApiServices, 'commitPod'> }, namespace: string, name: string): void {
  try {
    ctx.services.commitPod(namespace, name);
  } catch (err) {
    throw storeFailure(err, 'the pod could not be stored');
  }
}

// Durable before acknowledged: a mutating handler calls this after the kubelet took the change and
// before it answers, so a SIGKILL right after the reply loses nothing the client was told.
import type { RequestContext } from '../context.js';
import { internalError, serviceUnavailable } from '../status.js';

/** Writes (or removes) the pod's store file now; a failure is this request's 5xx. */
export function commitPod(ctx: RequestContext, namespace: string, name: string): void {
  try {
    ctx.services.commitPod(namespace, name);
  } catch (err) {
    const e = err as NodeJS.ErrnoException | undefined;
    if (e?.code === 'ESHUTDOWN') throw serviceUnavailable('the agent is shutting down: the change was not recorded');
    throw internalError(`the pod could not be stored: ${e?.message ?? String(err)}`);
  }
}

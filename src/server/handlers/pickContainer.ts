// The container a log or exec request is about: like the API server, one app container may be left implicit.
import type { Pod } from '../../api/types.js';
import { badRequest } from '../status.js';

export function pickContainer(pod: Pod, requested: string | null): string {
  const apps = pod.spec!.containers.map((c) => c.name);
  const inits = (pod.spec!.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec!.ephemeralContainers ?? []).map((c) => c.name);
  if (!requested) {
    if (apps.length === 1) return apps[0]!;
    const more = `${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}${ephemeral.length ? ` or one of the ephemeral containers: [${ephemeral.join(' ')}]` : ''}`;
    throw badRequest(`a container name must be specified for pod ${pod.metadata!.name}, choose one of: [${apps.join(' ')}]${more}`);
  }
  if (!apps.includes(requested) && !inits.includes(requested) && !ephemeral.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata!.name}`);
  return requested;
}

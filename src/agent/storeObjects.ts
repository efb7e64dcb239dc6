// The kubelet reads ConfigMaps and Secrets from the agent's object store through PodObjectSource,
// the same boundary through which a kubelet reads them from an API server. `extra` is what only an
// agent with a TCP API has: service account tokens it accepts, and its certificate.
import type { ConfigMap, Secret, Service } from '../api/types.js';
import type { PodObjectSource } from '../kubelet/podObjects.js';
import type { ObjectStore } from '../store/objectStore.js';

export type PodApiAccess = Pick<PodObjectSource, 'serviceAccountToken' | 'caCertificate'>;

export function storeObjectSource(store: ObjectStore, extra: PodApiAccess = {}): PodObjectSource {
  return {
    configMap: (ns, name) => store.get('configmaps', ns, name) as ConfigMap | undefined,
    secret: (ns, name) => store.get('secrets', ns, name) as Secret | undefined,
    services: (ns) => store.list('services', ns) as Service[],
    onChange: (listener) =>
      store.onChange((c) => {
        if (c.resource === 'configmaps') listener('ConfigMap', c.object.metadata?.namespace ?? '', c.object.metadata?.name ?? '');
        if (c.resource === 'secrets') listener('Secret', c.object.metadata?.namespace ?? '', c.object.metadata?.name ?? '');
      }),
    ...extra,
  };
}

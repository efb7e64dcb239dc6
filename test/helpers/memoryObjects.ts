// An in-memory PodObjectSource for tests: the API boundary the kubelet reads ConfigMaps and Secrets
// through (the agent's object store in production).
import type { ConfigMap, Pod, Secret } from '../../src/api/types.js';
import type { PodObjectSource } from '../../src/kubelet/podObjects.js';

type Kind = 'ConfigMap' | 'Secret';

export class MemoryObjects implements PodObjectSource {
  private readonly objects = new Map<string, ConfigMap | Secret>();
  private readonly listeners = new Set<(kind: Kind, namespace: string, name: string) => void>();
  /** What serviceAccountToken answers (undefined: no API, the placeholder is written). */
  token?: (pod: Pod, audience: string | undefined, expirationSeconds: number) => string | undefined;

  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.objects.get(`ConfigMap/${namespace}/${name}`) as ConfigMap | undefined;
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.objects.get(`Secret/${namespace}/${name}`) as Secret | undefined;
  }

  onChange(listener: (kind: Kind, namespace: string, name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  serviceAccountToken(pod: Pod, audience: string | undefined, expirationSeconds: number): string | undefined {
    return this.token?.(pod, audience, expirationSeconds);
  }

  /** Creates or replaces a ConfigMap in `default` (or the given namespace). */
  putConfigMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>, namespace = 'default'): void {
    this.put('ConfigMap', namespace, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data, ...(binaryData ? { binaryData } : {}) });
  }

  /** Creates or replaces a Secret; `data` is given in plain text and stored base64, as the API stores it. */
  putSecret(name: string, plain: Record<string, string>, namespace = 'default', type = 'Opaque'): void {
    const data = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    this.put('Secret', namespace, name, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, data });
  }

  delete(kind: Kind, name: string, namespace = 'default'): void {
    this.objects.delete(`${kind}/${namespace}/${name}`);
    this.notify(kind, namespace, name);
  }

  /** Listeners subscribed (every pod worker's should be gone after cleanup). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private put(kind: Kind, namespace: string, name: string, obj: ConfigMap | Secret): void {
    this.objects.set(`${kind}/${namespace}/${name}`, obj);
    this.notify(kind, namespace, name);
  }

  private notify(kind: Kind, namespace: string, name: string): void {
    for (const l of [...this.listeners]) l(kind, namespace, name);
  }
}

// The node's one subscription to the PodObjectSource. Pod workers subscribe here, so the agent may
// set (or replace) the source after the Kubelet exists and after pods started: they keep hearing
// changes, and always read the current source.
import type { ConfigMap, Pod, Secret, Service } from '../api/types.js';
import { NO_POD_OBJECTS, type PodObjectSource } from './podObjects.js';

type Listener = (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => void;

export class PodObjectRelay implements PodObjectSource {
  private current: PodObjectSource = NO_POD_OBJECTS;
  private unsubscribe: () => void = () => undefined;
  private readonly listeners = new Set<Listener>();

  /** The source behind the relay (NO_POD_OBJECTS until one is set). */
  get source(): PodObjectSource {
    return this.current;
  }

  /** Switches to another source; every listener hears a change of everything that may differ (namespace and name '*'). */
  use(source: PodObjectSource): void {
    if (source === this.current) return;
    this.unsubscribe();
    this.current = source;
    this.unsubscribe = source.onChange((kind, ns, name) => this.emit(kind, ns, name));
    this.emit('ConfigMap', '*', '*');
    this.emit('Secret', '*', '*');
  }

  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.current.configMap(namespace, name);
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.current.secret(namespace, name);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  serviceAccountToken(pod: Pod, audience: string | undefined, expirationSeconds: number): string | undefined {
    return this.current.serviceAccountToken?.(pod, audience, expirationSeconds);
  }

  caCertificate(): string | undefined {
    return this.current.caCertificate?.();
  }

  services(namespace: string): Service[] {
    return this.current.services?.(namespace) ?? [];
  }

  private emit(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): void {
    for (const l of [...this.listeners]) {
      try {
        l(kind, namespace, name);
      } catch (err) {
        console.error(`tinylet: object change listener: ${(err as Error).message}`);
      }
    }
  }
}

/** Whether a change notification (perhaps the relay's wildcard) concerns the object. */
export function changeConcerns(change: { namespace: string; name: string }, namespace: string, name: string): boolean {
  return (change.namespace === '*' || change.namespace === namespace) && (change.name === '*' || change.name === name);
}

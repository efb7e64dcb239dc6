// What a pod reads from the API besides itself: ConfigMaps and Secrets (env, envFrom, volumes) and
// the service account token it is projected. The kubelet gets these through this interface, as a
// real kubelet gets them from the API server (its configmap/secret managers watch them), so the
// kubelet side does not depend on how the agent stores objects.
import type { ConfigMap, Pod, Secret, Service } from '../api/types.js';

export interface PodObjectSource {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Calls `listener` after any ConfigMap or Secret is created, changed or deleted; returns an unsubscribe. */
  onChange(listener: (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => void): () => void;
  /**
   * A token for the pod's service account, valid for the agent's API (projected
   * `serviceAccountToken` sources and the default token volume); undefined when the agent serves no API.
   */
  serviceAccountToken?(pod: Pod, audience: string | undefined, expirationSeconds: number): string | undefined;
  /**
   * The PEM certificate a pod's client verifies the agent's API with (the service account volume's
   * ca.crt when no kube-root-ca.crt ConfigMap says otherwise); undefined when there is no TCP API.
   */
  caCertificate?(): string | undefined;
  /** The Services of a namespace, for the containers' Service environment variables (serviceEnv.ts). */
  services?(namespace: string): Service[];
}

/** No objects at all (tinylet run with no API objects besides pods, and unit tests). */
export const NO_POD_OBJECTS: PodObjectSource = {
  configMap: () => undefined,
  secret: () => undefined,
  onChange: () => () => undefined,
};

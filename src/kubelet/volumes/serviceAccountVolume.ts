// The service account volume the API server's ServiceAccount admission adds to every pod
// (kube-api-access-xxxxx, mounted at /var/run/secrets/kubernetes.io/serviceaccount): a projection of
// a token (expirationSeconds 3607), ca.crt from the kube-root-ca.crt ConfigMap and the namespace.
// tinylet does not add it to the spec; it writes the same files. The token is one the agent's TCP API
// accepts (server/serviceAccountTokens.ts), or the placeholder when the agent serves no TCP API.
// ca.crt is kube-root-ca.crt's when a ConfigMap of that name exists (as Kubernetes reads it), else
// the agent's own certificate (what the root CA publisher would have put there), else empty.
// The kubelet asks 3607 s and the API server may extend such tokens to a year (warnafter); tinylet
// issues exactly 3607 s, and podObjectVolumes.ts rewrites the token at 80% of that.
import type { Pod } from '../../api/types.js';
import type { Payload } from './atomicWriter.js';
import { tokenFile, type ProjectionContext } from './projectedVolume.js';

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const TOKEN_EXPIRATION_SECONDS = 3607;
const DEFAULT_MODE = 0o644;

/** Whether the pod gets the volume (automountServiceAccountToken is not false). */
export const wantsServiceAccountVolume = (pod: Pod): boolean => pod.spec?.automountServiceAccountToken !== false;

export function serviceAccountPayload(ctx: ProjectionContext): Payload {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const ca = ctx.objects.configMap(ns, ROOT_CA_CONFIGMAP)?.data?.['ca.crt'] ?? ctx.objects.caCertificate?.() ?? '';
  return new Map([
    ['token', tokenFile(ctx, undefined, TOKEN_EXPIRATION_SECONDS, DEFAULT_MODE)],
    ['ca.crt', { data: Buffer.from(ca, 'utf8'), mode: DEFAULT_MODE }],
    ['namespace', { data: Buffer.from(ns, 'utf8'), mode: DEFAULT_MODE }],
  ]);
}

export const SERVICE_ACCOUNT_TOKEN_SECONDS = TOKEN_EXPIRATION_SECONDS;

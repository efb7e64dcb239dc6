// Bound service account tokens, as the API server's TokenRequest issues them for the kubelet's
// projected `serviceAccountToken` volumes: a JWT naming the pod's service account, bound to the pod
// (a deleted pod's token stops working) and valid for `expirationSeconds`.
//
// One difference: Kubernetes signs RS256 with the service-account key pair, so that others can
// verify tokens from the public keys (OIDC discovery). Only this agent verifies its tokens, so an
// HMAC key (HS256) is enough; there is no /openid/v1/jwks. The key is made once (32 random bytes,
// 0600 in the state dir) and kept across restarts, so recovered pods keep working tokens.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { loadOrCreateToken } from './auth.js';

/** Who a valid token speaks for. */
export interface ServiceAccountUser {
  /** `system:serviceaccount:<namespace>:<name>`, the user name RBAC sees. */
  username: string;
  namespace: string;
  serviceAccount: string;
  pod: { name: string; uid: string };
}

/** The claims TokenRequest writes (pkg/serviceaccount/claims.go), in the order it encodes them. */
interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    pod: { name: string; uid: string };
    serviceaccount: { name: string; uid?: string };
  };
  nbf: number;
  sub: string;
}

/** The issuer (and default audience) of a cluster's tokens, as kubeadm configures it. */
export const issuerFor = (clusterDomain: string): string => `https://kubernetes.default.svc.${clusterDomain}`;

/**
 * The API server keeps a bound pod's token valid for a minute past the pod's deletion timestamp
 * (claims.go: "Bound pod is deleted and awaiting removal"), then refuses it while the pod drains.
 */
const DELETED_POD_LEEWAY_SECONDS = 60;

const b64 = (v: Buffer | string) => Buffer.from(v).toString('base64url');

export class ServiceAccountTokens {
  private readonly kid: string;

  constructor(
    private readonly key: Buffer,
    readonly issuer: string,
    /** The pod as the API has it now (the binding is checked against it on every request). */
    private readonly lookupPod: (namespace: string, name: string) => Pod | undefined,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    // Kubernetes' kid is a hash of the public key; a hash of the HMAC key names it without revealing it.
    this.kid = createHash('sha256').update('tinylet service account key\0').update(key).digest('base64url').slice(0, 43);
  }

  /** The agent's issuer: its key at <stateDir>/sa-signing-key, created on first use. */
  static forAgent(stateDir: string, clusterDomain: string, lookupPod: (namespace: string, name: string) => Pod | undefined): ServiceAccountTokens {
    const key = Buffer.from(loadOrCreateToken(join(stateDir, 'sa-signing-key')), 'utf8');
    return new ServiceAccountTokens(key, issuerFor(clusterDomain), lookupPod);
  }

  /** A token for the pod's service account (spec.serviceAccountName, else `default`). */
  issue(pod: Pod, audience: string | undefined, expirationSeconds: number): string {
    const namespace = pod.metadata?.namespace ?? 'default';
    const sa = pod.spec?.serviceAccountName || 'default';
    const iat = this.now();
    const claims: Claims = {
      aud: [audience || this.issuer],
      exp: iat + expirationSeconds,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      // No serviceaccount uid: tinylet has no ServiceAccount objects. No node either: no Node object.
      'kubernetes.io': { namespace, pod: { name: pod.metadata?.name ?? '', uid: String(pod.metadata?.uid ?? '') }, serviceaccount: { name: sa } },
      nbf: iat,
      sub: `system:serviceaccount:${namespace}:${sa}`,
    };
    const signingInput = `${b64(JSON.stringify({ alg: 'HS256', kid: this.kid }))}.${b64(JSON.stringify(claims))}`;
    return `${signingInput}.${this.sign(signingInput).toString('base64url')}`;
  }

  /**
   * The user a token speaks for to this API, or undefined: bad signature or form, expired or not yet
   * valid, another audience (a token for a vault is not one for the API), or a pod that is gone.
   */
  verify(token: string): ServiceAccountUser | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    // Compared as text: base64url decoding ignores a last character's spare bits, so comparing
    // decoded bytes would take several spellings of one signature.
    const want = Buffer.from(this.sign(`${header}.${payload}`).toString('base64url'));
    const given = Buffer.from(signature);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    const h = parseJson(header) as { alg?: unknown } | undefined;
    const c = parseJson(payload) as Partial<Claims> | undefined;
    if (h?.alg !== 'HS256' || !c) return undefined;
    const now = this.now();
    if (typeof c.exp !== 'number' || now >= c.exp) return undefined;
    if (typeof c.nbf === 'number' && now < c.nbf) return undefined;
    if (c.iss !== this.issuer || !Array.isArray(c.aud) || !c.aud.includes(this.issuer)) return undefined;
    const k = c['kubernetes.io'];
    const ns = k?.namespace;
    const sa = k?.serviceaccount?.name;
    const ref = k?.pod;
    if (typeof ns !== 'string' || typeof sa !== 'string' || typeof ref?.name !== 'string' || typeof ref.uid !== 'string') return undefined;
    if (c.sub !== `system:serviceaccount:${ns}:${sa}`) return undefined;
    // Bound to the pod: the same name with another uid is another pod.
    const pod = this.lookupPod(ns, ref.name);
    if (!pod || String(pod.metadata?.uid ?? '') !== ref.uid) return undefined;
    const deleted = pod.metadata?.deletionTimestamp;
    if (deleted && Date.parse(deleted) / 1000 + DELETED_POD_LEEWAY_SECONDS < now) return undefined;
    return { username: c.sub, namespace: ns, serviceAccount: sa, pod: { name: ref.name, uid: ref.uid } };
  }

  private sign(input: string): Buffer {
    return createHmac('sha256', this.key).update(input).digest();
  }
}

function parseJson(part: string): unknown {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

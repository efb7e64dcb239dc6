// A projected volume's files (pkg/volume/projected collectData): its sources' payloads merged into
// one directory (configMap, secret, downwardAPI, serviceAccountToken), errors aggregated.
import type { Pod, Volume } from '../../api/types.js';
import type { PodObjectSource } from '../podObjects.js';
import type { FileProjection, Payload } from './atomicWriter.js';
import { configMapPayload } from './configMapVolume.js';
import { downwardAPIPayload, throwAggregate } from './downwardAPIVolume.js';
import { secretPayload } from './secretVolume.js';

/** What a token file holds when the agent serves no API (objects.serviceAccountToken gives none). */
export const PLACEHOLDER_TOKEN = 'tinylet-has-no-token';

export interface ProjectionContext {
  pod: Pod;
  objects: PodObjectSource;
  allocatable: Record<string, number>;
}

export function projectedPayload(source: NonNullable<Volume['projected']>, ctx: ProjectionContext): Payload {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const defaultMode = source.defaultMode ?? 0o644;
  const payload: Payload = new Map();
  const errors: Error[] = [];
  const merge = (p: Payload) => p.forEach((file, path) => payload.set(path, file));
  for (const s of source.sources ?? []) {
    try {
      if (s.configMap) {
        const optional = s.configMap.optional === true;
        const cm = ctx.objects.configMap(ns, s.configMap.name ?? '');
        if (cm) merge(configMapPayload(s.configMap.items, cm, defaultMode, optional));
        else if (!optional) throw new Error(`configmap "${s.configMap.name ?? ''}" not found`);
      } else if (s.secret) {
        const optional = s.secret.optional === true;
        const secret = ctx.objects.secret(ns, s.secret.name ?? '');
        if (secret) merge(secretPayload(s.secret.items, secret, defaultMode, optional));
        else if (!optional) throw new Error(`secret "${s.secret.name ?? ''}" not found`);
      } else if (s.downwardAPI) {
        merge(downwardAPIPayload(s.downwardAPI.items, ctx.pod, ctx.allocatable, defaultMode));
      } else if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        payload.set(t.path, tokenFile(ctx, t.audience, t.expirationSeconds ?? 3600, defaultMode));
      } else if ((s as Record<string, unknown>).clusterTrustBundle !== undefined) {
        throw new Error('clusterTrustBundle projection is not implemented by tinylet');
      }
    } catch (err) {
      errors.push(err as Error);
    }
  }
  throwAggregate(errors);
  return payload;
}

/**
 * A service account token file: mode 0600 owned by the pods' user when fsUser or fsGroup is set, as
 * the kubelet writes it (so that only that user reads it), else the defaultMode.
 */
export function tokenFile(ctx: ProjectionContext, audience: string | undefined, expirationSeconds: number, defaultMode: number): FileProjection {
  const token = ctx.objects.serviceAccountToken?.(ctx.pod, audience, expirationSeconds) ?? PLACEHOLDER_TOKEN;
  const fsUser = fsUserFrom(ctx.pod);
  const fsGroup = ctx.pod.spec?.securityContext?.fsGroup;
  const mode = fsUser !== undefined || fsGroup !== undefined ? 0o600 : defaultMode;
  return { data: Buffer.from(token, 'utf8'), mode, ...(fsUser !== undefined ? { fsUser } : {}) };
}

/** util.FsUserFrom: the runAsUser every container of the pod runs as, when they all agree. */
export function fsUserFrom(pod: Pod): number | undefined {
  const podUser = pod.spec?.securityContext?.runAsUser;
  const users = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.securityContext?.runAsUser ?? podUser);
  if (users.length === 0 || users.some((u) => u === undefined)) return undefined;
  return users.every((u) => u === users[0]) ? users[0] : undefined;
}

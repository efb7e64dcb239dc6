// The volumes of one pod the kubelet writes itself: the spec's configMap, secret, downwardAPI and
// projected volumes, and the service account volume. Each is a directory under the pod's 0700
// `volumes` dir on the state dir's disk (not a tmpfs: a Secret's files are on disk, readable by root
// only on the host), written with the AtomicWriter and bind-mounted read-only into containers, which
// see every update because `..data` is swapped inside the mounted directory (a subPath mount binds one
// file of one timestamped dir, and does not update, as in Kubernetes).
//
// Updates: the kubelet rewrites these volumes on its periodic sync (every minute or so, the object
// taken from its watch-based cache); tinylet rewrites a volume as soon as an object it reads changes
// (objects.onChange), or the pod's labels/annotations do (downwardAPI), and service account tokens
// at 80% of their lifetime (at most a day), as the kubelet refreshes them.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Volume } from '../../api/types.js';
import { isWrittenVolume, podVolumesDir } from '../../runtime/volumes.js';
import type { EventType } from '../events.js';
import type { PodObjectSource } from '../podObjects.js';
import { changeConcerns } from '../podObjectsRelay.js';
import { AtomicWriter, type Payload } from './atomicWriter.js';
import { configMapVolumePayload } from './configMapVolume.js';
import { downwardAPIPayload } from './downwardAPIVolume.js';
import { projectedPayload, type ProjectionContext } from './projectedVolume.js';
import { secretVolumePayload } from './secretVolume.js';
import { ROOT_CA_CONFIGMAP, SERVICE_ACCOUNT_TOKEN_SECONDS, serviceAccountPayload, wantsServiceAccountVolume } from './serviceAccountVolume.js';
import { setVolumeOwnership } from './volumeOwnership.js';

export interface VolumeHost {
  /** The pod as it is now (labels and annotations change). */
  pod(): Pod;
  objects: PodObjectSource;
  allocatable: Record<string, number>;
  event(type: EventType, reason: string, message: string): void;
}

type ObjectRef = { kind: 'ConfigMap' | 'Secret'; name: string };

interface Entry {
  name: string;
  dir: string;
  payload(ctx: ProjectionContext): Payload;
  refs: ObjectRef[];
  /** Reads the pod's metadata (downwardAPI): rewritten on a pod update. */
  readsPod: boolean;
  /** Seconds of the shortest token it projects. */
  tokenSeconds?: number;
  mounted: boolean;
}

/** The directory of the service account volume: not a DNS label, so no spec volume shares it. */
const SERVICE_ACCOUNT_DIR = 'kube-api-access.tinylet';
const MAX_REFRESH_MS = 24 * 3600_000;

export interface MountFailure {
  volume: string;
  message: string;
}

/** The kubelet's event for a volume that could not be set up. */
export const mountFailedMessage = (f: MountFailure): string => `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`;

export class PodObjectVolumes {
  private readonly entries: Entry[];
  private readonly unsubscribe: () => void;
  private refreshTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly host: VolumeHost,
    podDir: string,
  ) {
    const pod = host.pod();
    const base = podVolumesDir(podDir);
    this.entries = (pod.spec?.volumes ?? []).filter(isWrittenVolume).map((v) => specEntry(v, join(base, v.name)));
    if (wantsServiceAccountVolume(pod)) {
      this.entries.push({
        name: 'kube-api-access',
        dir: join(base, SERVICE_ACCOUNT_DIR),
        payload: serviceAccountPayload,
        refs: [{ kind: 'ConfigMap', name: ROOT_CA_CONFIGMAP }],
        readsPod: true,
        tokenSeconds: SERVICE_ACCOUNT_TOKEN_SECONDS,
        mounted: false,
      });
    }
    this.unsubscribe = host.objects.onChange((kind, ns, name) => this.objectChanged(kind, ns, name));
  }

  /** Host dir of each mounted spec volume, by name. */
  get sources(): Map<string, string> {
    return new Map(this.entries.filter((e) => e.mounted && e.dir !== this.serviceAccountDir).map((e) => [e.name, e.dir]));
  }

  /** These volumes are mounted read-only. */
  get readOnlyNames(): Set<string> {
    return new Set(this.entries.filter((e) => e.dir !== this.serviceAccountDir).map((e) => e.name));
  }

  /** The service account volume's dir, when the pod has one. */
  get serviceAccountDir(): string | undefined {
    return this.entries.find((e) => e.dir.endsWith(SERVICE_ACCOUNT_DIR))?.dir;
  }

  /** Sets up every volume not set up yet (MountVolume.SetUp); what failed, by volume. */
  setUp(): MountFailure[] {
    const failures: MountFailure[] = [];
    for (const e of this.entries) {
      if (e.mounted) continue;
      try {
        this.write(e);
        e.mounted = true;
      } catch (err) {
        failures.push({ volume: e.name, message: (err as Error).message });
      }
    }
    this.armRefresh();
    return failures;
  }

  /**
   * Resolves after `ms`, or as soon as an object one of the volumes reads changes (true), or when
   * `signal` aborts (false).
   */
  waitForChange(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(onChange);
        resolve(v);
      };
      const onAbort = () => done(false);
      const onChange = () => done(true);
      const timer = setTimeout(() => done(!signal.aborted), ms);
      if (signal.aborted) return done(false);
      signal.addEventListener('abort', onAbort);
      this.waiters.add(onChange);
    });
  }

  /** The pod's labels or annotations changed: the downward API files follow. */
  podChanged(): void {
    this.rewrite((e) => e.readsPod);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.refreshTimer);
    for (const w of [...this.waiters]) w();
  }

  private objectChanged(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): void {
    const ns = this.host.pod().metadata?.namespace ?? 'default';
    const concerns = (e: Entry) => e.refs.some((r) => r.kind === kind && changeConcerns({ namespace, name }, ns, r.name));
    if (!this.entries.some(concerns)) return;
    this.rewrite(concerns);
    for (const w of [...this.waiters]) w();
  }

  /** Rewrites the mounted volumes `which` selects; a failure keeps the old files, with a FailedMount event. */
  private rewrite(which: (e: Entry) => boolean): void {
    if (this.closed) return;
    for (const e of this.entries) {
      if (!e.mounted || !which(e)) continue;
      try {
        this.write(e);
      } catch (err) {
        this.host.event('Warning', 'FailedMount', mountFailedMessage({ volume: e.name, message: (err as Error).message }));
      }
    }
  }

  private write(e: Entry): void {
    const pod = this.host.pod();
    const payload = e.payload({ pod, objects: this.host.objects, allocatable: this.host.allocatable });
    // The kubelet wraps an emptyDir: a 0777 directory, whatever the umask.
    mkdirSync(e.dir, { recursive: true, mode: 0o777 });
    chmodSync(e.dir, 0o777);
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    new AtomicWriter(e.dir).write(payload, fsGroup === undefined ? undefined : () => setVolumeOwnership(e.dir, fsGroup));
  }

  /** Tokens are rewritten (new tokens) at 80% of the shortest lifetime, at most a day apart. */
  private armRefresh(): void {
    clearTimeout(this.refreshTimer);
    const seconds = this.entries.filter((e) => e.mounted && e.tokenSeconds !== undefined).map((e) => e.tokenSeconds!);
    if (this.closed || seconds.length === 0) return;
    const ms = Math.min(MAX_REFRESH_MS, Math.min(...seconds) * 800);
    this.refreshTimer = setTimeout(() => {
      this.rewrite((e) => e.tokenSeconds !== undefined);
      this.armRefresh();
    }, ms);
    this.refreshTimer.unref();
  }
}

function specEntry(v: Volume, dir: string): Entry {
  const base = { name: v.name, dir, mounted: false };
  if (v.configMap) {
    const src = v.configMap;
    return { ...base, refs: [{ kind: 'ConfigMap', name: src.name ?? '' }], readsPod: false, payload: (c) => configMapVolumePayload(src, ns(c.pod), (n, name) => c.objects.configMap(n, name)) };
  }
  if (v.secret) {
    const src = v.secret;
    return { ...base, refs: [{ kind: 'Secret', name: src.secretName ?? '' }], readsPod: false, payload: (c) => secretVolumePayload(src, ns(c.pod), (n, name) => c.objects.secret(n, name)) };
  }
  if (v.downwardAPI) {
    const src = v.downwardAPI;
    return { ...base, refs: [], readsPod: true, payload: (c) => downwardAPIPayload(src.items, c.pod, c.allocatable, src.defaultMode ?? 0o644) };
  }
  const src = v.projected!;
  const sources = src.sources ?? [];
  const refs: ObjectRef[] = [];
  for (const s of sources) {
    if (s.configMap) refs.push({ kind: 'ConfigMap', name: s.configMap.name ?? '' });
    if (s.secret) refs.push({ kind: 'Secret', name: s.secret.name ?? '' });
  }
  const tokens = sources.filter((s) => s.serviceAccountToken).map((s) => s.serviceAccountToken!.expirationSeconds ?? 3600);
  return {
    ...base,
    refs,
    readsPod: sources.some((s) => s.downwardAPI),
    ...(tokens.length ? { tokenSeconds: Math.min(...tokens) } : {}),
    payload: (c) => projectedPayload(src, c),
  };
}

const ns = (pod: Pod): string => pod.metadata?.namespace ?? 'default';

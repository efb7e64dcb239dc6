// A whole image pull into the content store, as containerd's does for the kubelet: resolve the
// reference to a manifest (through an index to this platform's), then copy the manifest, the config
// and every layer, each verified against its digest before it is kept. Mirrors are tried first, the
// registry last; errors read like containerd's, so they look familiar in `kubectl describe`.
import { createHash } from 'node:crypto';
import { BlobStore, DigestMismatchError, isDigest } from '../content/blobStore.js';
import { parseImageReference } from '../reference.js';
import { credentialsFor, defaultDockerConfigPath, loadDockerConfigFile, type DockerCredentials } from './credentials.js';
import { HttpError } from './httpClient.js';
import { checkConfigMediaType, checkLayerMediaType, IMAGE_MANIFEST_TYPES, isIndex } from './mediaTypes.js';
import { hostPlatform, NoMatchingPlatformError, platformString, selectPlatformManifest, type Descriptor, type HostPlatform } from './platform.js';
import { DEFAULT_RETRIES, OFFLINE_ENV, registryEndpoints, type RegistryConfig, type RegistryEndpoint } from './registryConfig.js';
import { RegistryClient, RegistryError, type BlobStream, type FetchedManifest } from './registryClient.js';
import { isObject } from '../isObject.js';

export { RegistryError };
export type { RegistryErrorCode } from './registryClient.js';

export interface PullProgress {
  phase: 'resolving' | 'manifest' | 'layer' | 'done';
  digest?: string;
  bytes?: number;
  total?: number;
  message: string;
}

export interface PulledImage {
  /** Normalized: docker.io/library/busybox:1.36 */
  reference: string;
  /** registry/repo: docker.io/library/busybox */
  repository: string;
  /** What the reference resolved to (an index for a multi-platform image): the repo digest `repository@manifestDigest`. */
  manifestDigest: string;
  manifestMediaType: string;
  /** The image manifest for this platform, when the reference resolved to an index. */
  platformManifestDigest?: string;
  configDigest: string;
  layers: { digest: string; mediaType: string; size: number }[];
  /** Manifest(s), config and layers, as the registry serves them (compressed). */
  size: number;
}

export interface PullOptions {
  config: RegistryConfig;
  /** Tried before the credentials file (a pod's imagePullSecrets). */
  extraCredentials?: DockerCredentials[];
  platform?: HostPlatform;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
}

/** Layers downloaded at once (containerd's max_concurrent_downloads is 3). */
const LAYER_CONCURRENCY = 3;
/** An index pointing at an index is allowed once; deeper is not an image. */
const MAX_INDEX_DEPTH = 2;

const pulls = new Map<string, Promise<PulledImage>>();
const blobCopies = new Map<string, Promise<void>>();

/**
 * Pulls `ref` into `store`. Concurrent pulls of the same reference into the same store, with the same
 * credentials, share one download (the second caller gets the first one's result, and its progress
 * goes to the first's listener). The credentials are part of the key: a caller without a pod's pull
 * secret must not get, by joining, an image the registry would refuse it.
 */
export function pullImage(ref: string, store: BlobStore, opts: PullOptions): Promise<PulledImage> {
  const platform = opts.platform ?? hostPlatform();
  const r = parseImageReference(ref);
  const key = `${store.dir}\0${r.normalized}\0${platformString(platform)}\0${credentialsKey(r.registry, opts)}`;
  const running = pulls.get(key);
  if (running) return running;
  const p = pull(ref, store, { ...opts, platform }).finally(() => pulls.delete(key));
  pulls.set(key, p);
  return p;
}

type Pull = PullOptions & { platform: HostPlatform };

/**
 * Which credentials the pull presents, as a digest: for each endpoint, the entry it would use (the
 * caller's first, then the file's). So pulls presenting the same ones share, whatever the secrets
 * they came from are named, and a file that cannot be read is a key of its own (that pull fails).
 */
function credentialsKey(registry: string, opts: PullOptions): string {
  let file: DockerCredentials[] | string;
  try {
    file = loadDockerConfigFile(opts.config.credentialsFile);
  } catch (err) {
    file = (err as Error).message;
  }
  const sources = [...(opts.extraCredentials ?? []), ...(typeof file === 'string' ? [] : file)];
  const chosen = registryEndpoints(registry, opts.config).map((e) => {
    const c = credentialsFor(e.mirror ? new URL(e.url).host : registry, sources);
    return c ? [c.host, c.username ?? '', c.password ?? '', c.identityToken ?? ''] : null;
  });
  return createHash('sha256').update(JSON.stringify([typeof file === 'string' ? file : null, chosen])).digest('hex');
}

async function pull(ref: string, store: BlobStore, opts: Pull): Promise<PulledImage> {
  const r = parseImageReference(ref);
  const name = r.normalized;
  const resolveError = (msg: string, code: RegistryError['code']) => new RegistryError(`failed to resolve reference ${JSON.stringify(name)}: ${msg}`, code);
  if (r.digest && !isDigest(r.digest)) throw resolveError(`unsupported digest ${r.digest} (only sha256 is supported)`, 'unsupported');
  const target = r.digest || r.tag;
  const progress = opts.onProgress ?? (() => {});
  progress({ phase: 'resolving', message: `Resolving ${name}` });

  let fileCredentials: DockerCredentials[];
  try {
    fileCredentials = loadDockerConfigFile(opts.config.credentialsFile);
  } catch (err) {
    throw resolveError((err as Error).message, 'credentials');
  }
  const sources = [...(opts.extraCredentials ?? []), ...fileCredentials];
  const searched = [opts.extraCredentials?.length ? "the pod's image pull secrets" : '', opts.config.credentialsFile ?? defaultDockerConfigPath()].filter(Boolean).join(' and ');

  const endpoints = registryEndpoints(r.registry, opts.config);
  if (endpoints.length === 0) throw resolveError(`${OFFLINE_ENV}=1: only registries and mirrors on loopback are contacted, and ${r.registry} has none`, 'unavailable');
  for (const [i, endpoint] of endpoints.entries()) {
    // A mirror gets the credentials of its own host; the registry those of the reference's.
    const credentials = credentialsFor(endpoint.mirror ? new URL(endpoint.url).host : r.registry, sources);
    const client = new RegistryClient({
      endpoint,
      repository: r.repository,
      ...(credentials ? { credentials } : {}),
      credentialsSearched: searched,
      ...(opts.config.retries !== undefined ? { retries: opts.config.retries } : {}),
      ...(opts.config.timeoutMs !== undefined ? { timeoutMs: opts.config.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    try {
      return await pullFrom(client, endpoint, target, r.registry, r.repository, name, store, opts);
    } catch (err) {
      const e = client.wrap(err);
      // Anything wrong with a mirror (down, missing the image, corrupt) sends the pull on to the next endpoint.
      if (e.code === 'cancelled' || i === endpoints.length - 1) throw e;
    }
  }
  throw new Error('unreachable: the registry itself is always the last endpoint');
}

async function pullFrom(client: RegistryClient, endpoint: RegistryEndpoint, target: string, registry: string, repository: string, name: string, store: BlobStore, opts: Pull): Promise<PulledImage> {
  const progress = opts.onProgress ?? (() => {});
  const resolved = await resolve(client, target, name);
  progress({ phase: 'manifest', digest: resolved.digest, bytes: resolved.bytes.length, message: `Resolved ${name} to ${resolved.digest} (${endpoint.url})` });

  // Through the index (or two) to this platform's image manifest; every manifest is stored as served.
  const manifests: FetchedManifest[] = [resolved];
  let manifest = resolved;
  for (let depth = 0; isIndex(manifest.mediaType); depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw new RegistryError(`failed to resolve reference ${JSON.stringify(name)}: indexes nested more than ${MAX_INDEX_DEPTH} deep`, 'unsupported');
    const entries = parseIndex(manifest, name);
    let chosen: Descriptor;
    try {
      chosen = selectPlatformManifest(entries, opts.platform);
    } catch (err) {
      if (err instanceof NoMatchingPlatformError) throw new RegistryError(`failed to pull image ${JSON.stringify(name)}: ${err.message}`, 'unsupported');
      throw err;
    }
    manifest = await resolve(client, chosen.digest, name);
    manifests.push(manifest);
  }
  if (!IMAGE_MANIFEST_TYPES.includes(manifest.mediaType)) throw new RegistryError(`failed to pull image ${JSON.stringify(name)}: ${manifest.mediaType} is not an image manifest`, 'unsupported');
  const { config, layers } = parseManifest(manifest, name);

  for (const m of manifests) if (!store.has(m.digest)) await store.ingestBuffer(m.bytes, { digest: m.digest, size: m.bytes.length });
  const blobs = [config, ...layers];
  await forEachLimited(blobs, LAYER_CONCURRENCY, (d) => copyBlob(client, store, d, opts));

  const pulled: PulledImage = {
    reference: name,
    repository: `${registry}/${repository}`,
    manifestDigest: resolved.digest,
    manifestMediaType: resolved.mediaType,
    ...(manifest !== resolved ? { platformManifestDigest: manifest.digest } : {}),
    configDigest: config.digest,
    layers: layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
    size: manifests.reduce((n, m) => n + m.bytes.length, 0) + blobs.reduce((n, d) => n + d.size, 0),
  };
  progress({ phase: 'done', digest: pulled.manifestDigest, bytes: pulled.size, total: pulled.size, message: `Pulled ${name} (${pulled.size} bytes)` });
  return pulled;
}

async function resolve(client: RegistryClient, target: string, name: string): Promise<FetchedManifest> {
  try {
    return await client.getManifest(target);
  } catch (err) {
    const e = client.wrap(err);
    throw new RegistryError(`failed to resolve reference ${JSON.stringify(name)}: ${e.code === 'not-found' ? `${name}: not found` : e.message}`, e.code);
  }
}

/**
 * One blob into the store, unless it is there; a concurrent copy of the same blob (another pull) is
 * shared. Unlike whole pulls, whatever the credentials: a pull gets here only after its own
 * credentials fetched a manifest naming the digest, and a blob in the store is shared anyway (as in
 * containerd's content store).
 */
function copyBlob(client: RegistryClient, store: BlobStore, d: Descriptor, opts: Pull): Promise<void> {
  if (store.has(d.digest)) return Promise.resolve();
  const key = `${store.dir}\0${d.digest}`;
  const running = blobCopies.get(key);
  if (running) return running;
  const p = download(client, store, d, opts).finally(() => blobCopies.delete(key));
  blobCopies.set(key, p);
  return p;
}

async function download(client: RegistryClient, store: BlobStore, d: Descriptor, opts: Pull): Promise<void> {
  const retries = opts.config.retries ?? DEFAULT_RETRIES;
  const what = `blob ${d.digest} of ${client.where}`;
  for (let n = 0; ; n++) {
    let stream: BlobStream;
    try {
      stream = await client.blob(d.digest);
    } catch (err) {
      const e = client.wrap(err);
      throw new RegistryError(`failed to copy: httpReadSeeker: failed open: ${e.message}`, e.code);
    }
    try {
      await store.ingest(stream.body, {
        expected: { digest: d.digest, size: d.size },
        onProgress: (bytes) => opts.onProgress?.({ phase: 'layer', digest: d.digest, bytes, total: d.size, message: `Downloading ${d.digest.slice(0, 19)}: ${bytes} of ${d.size} bytes` }),
      });
      return;
    } catch (err) {
      // The store removed the bad bytes: a corrupt blob is never kept.
      if (err instanceof DigestMismatchError) throw new RegistryError(`failed to copy: ${what}: ${err.message} (the registry served corrupted content)`, 'digest-mismatch');
      // A connection broken mid-download: the whole blob again (registries need not serve ranges).
      if (err instanceof HttpError && err.retryable && n < retries) continue;
      const e = client.wrap(err);
      throw new RegistryError(`failed to copy: ${what}: ${e.message}`, e.code);
    }
  }
}

/** `fn` over the items, at most `limit` at a time; the first failure stops new starts and is thrown once the running ones end. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

// The manifests' JSON, checked as far as the pull relies on it.


function json(m: FetchedManifest, name: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(m.bytes.toString('utf8'));
  } catch (err) {
    throw invalid(name, m, `not JSON: ${(err as Error).message}`);
  }
  if (!isObject(v)) throw invalid(name, m, 'not a JSON object');
  if (v.schemaVersion !== 2) throw invalid(name, m, `schemaVersion ${JSON.stringify(v.schemaVersion)}: only schema version 2 is supported`);
  return v;
}

function invalid(name: string, m: FetchedManifest, msg: string): RegistryError {
  return new RegistryError(`failed to pull image ${JSON.stringify(name)}: manifest ${m.digest}: ${msg}`, 'protocol');
}

function descriptor(v: unknown, where: string, name: string, m: FetchedManifest): Descriptor {
  if (!isObject(v) || typeof v.mediaType !== 'string' || !isDigest(v.digest) || typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw invalid(name, m, `${where}: must be a descriptor with mediaType, a sha256 digest and a size`);
  }
  return v as unknown as Descriptor;
}

function parseIndex(m: FetchedManifest, name: string): Descriptor[] {
  const v = json(m, name);
  if (!Array.isArray(v.manifests)) throw invalid(name, m, 'manifests: must be a list');
  return v.manifests.map((d, i) => descriptor(d, `manifests[${i}]`, name, m));
}

function parseManifest(m: FetchedManifest, name: string): { config: Descriptor; layers: Descriptor[] } {
  const v = json(m, name);
  const config = descriptor(v.config, 'config', name, m);
  if (!Array.isArray(v.layers)) throw invalid(name, m, 'layers: must be a list');
  const layers = v.layers.map((d, i) => descriptor(d, `layers[${i}]`, name, m));
  try {
    checkConfigMediaType(config.mediaType, `image ${name}`);
    layers.forEach((l, i) => checkLayerMediaType(l.mediaType, `image ${name}: layer ${i} (${l.digest})`));
  } catch (err) {
    throw new RegistryError(`failed to pull image ${JSON.stringify(name)}: ${(err as Error).message.replace(`image ${name}: `, '')}`, 'unsupported');
  }
  return { config, layers };
}

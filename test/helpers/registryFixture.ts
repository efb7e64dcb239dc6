// An OCI distribution registry in the test process, on 127.0.0.1 (port 0): the pull side of the API
// (/v2/, manifests by tag and digest, blobs), Bearer token auth with its own token endpoint or Basic
// auth, blob redirects to a second server (a "CDN" that refuses any Authorization header, proving the
// client dropped it), a corrupted blob, 503s on demand, and a log of every request. Plus builders of
// images (random layer bytes: the registry client does not untar) and multi-platform indexes.
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  server: 'registry' | 'cdn';
  method: string;
  /** Path and query. */
  path: string;
  authorization?: string;
  status: number;
}

export interface RegistryFixtureOptions {
  auth?: {
    type: 'bearer' | 'basic';
    /** Required by the token endpoint (bearer) or the registry (basic); bearer without: anonymous tokens. */
    username?: string;
    password?: string;
    /** The token response's field (`token` as Docker Hub, `access_token` as OAuth2 servers). */
    tokenField?: 'token' | 'access_token';
  };
  /** Blob GETs answered with a 307 to the second server. */
  redirectBlobs?: boolean;
}

export interface RegistryFixture {
  /** "127.0.0.1:PORT", as a reference names it. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  requests: RecordedRequest[];
  /** Stores under `ref` (a tag or a digest) and under its own digest, which it returns. */
  putManifest(name: string, ref: string, bytes: Buffer, mediaType: string): string;
  putBlob(bytes: Buffer): string;
  /** Serve other bytes (as many) for this blob. */
  corruptBlob(digest: string): void;
  /** The next `n` requests (any path) answer 503. */
  failNext(n: number): void;
  /** Requests whose path starts with `prefix` (any server unless named). */
  count(prefix: string, server?: RecordedRequest['server']): number;
  close(): Promise<void>;
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function errors(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export async function startRegistry(opts: RegistryFixtureOptions = {}): Promise<RegistryFixture> {
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>(); // `${name}\0${ref}`
  const blobs = new Map<string, Buffer>();
  const corrupt = new Set<string>();
  const tokens = new Map<string, string[]>(); // token -> scopes
  const requests: RecordedRequest[] = [];
  let failing = 0;
  let url = '';
  let cdnUrl = '';

  const blobBytes = (digest: string) => {
    const b = blobs.get(digest);
    if (!b || !corrupt.has(digest)) return b;
    const bad = Buffer.from(b);
    bad[0] ^= 0xff;
    return bad;
  };

  const record = (server: RecordedRequest['server'], req: IncomingMessage, res: ServerResponse) => {
    const r: RecordedRequest = { server, method: req.method ?? '', path: req.url ?? '', status: 0, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
    requests.push(r);
    res.on('finish', () => (r.status = res.statusCode));
  };

  const cdn = await listen((req, res) => {
    record('cdn', req, res);
    if (req.headers.authorization) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('the registry credentials must not be sent to the CDN');
      return;
    }
    const digest = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/cdn\//, '');
    const b = blobBytes(digest);
    if (!b) return void res.writeHead(404).end('no such object');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length }).end(b);
  });

  const basicOk = (header: string | undefined) => {
    const { username = '', password = '' } = opts.auth ?? {};
    return header === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  };

  const token = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', url);
    if (opts.auth?.username !== undefined && !basicOk(req.headers.authorization)) {
      const body = JSON.stringify({ details: 'incorrect username or password' });
      return void res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }
    const t = randomBytes(16).toString('hex');
    tokens.set(t, u.searchParams.getAll('scope'));
    const body = JSON.stringify({ [opts.auth?.tokenField ?? 'token']: t, expires_in: 300 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  };

  /** Whether the request may read `name` ('' for /v2/ itself); answers the 401 when not. */
  const authorized = (req: IncomingMessage, res: ServerResponse, name: string): boolean => {
    const auth = opts.auth;
    if (!auth) return true;
    const header = req.headers.authorization;
    if (auth.type === 'basic') {
      if (basicOk(header)) return true;
      errors(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="fixture \\"registry\\""' });
      return false;
    }
    const scopes = header?.startsWith('Bearer ') ? tokens.get(header.slice('Bearer '.length)) : undefined;
    if (scopes && (name === '' || scopes.includes(`repository:${name}:pull`))) return true;
    const scope = name ? `,scope="repository:${name}:pull"` : '';
    errors(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': `Bearer realm="${url}/token",service="fixture"${scope}` });
    return false;
  };

  const registry = await listen((req, res) => {
    record('registry', req, res);
    if (failing > 0) {
      failing--;
      return errors(res, 503, 'UNAVAILABLE', 'try again later');
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/token') return token(req, res);
    if (path === '/v2/' || path === '/v2') {
      if (authorized(req, res, '')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return errors(res, 404, 'NOT_FOUND', 'not found');
    const [, name, kind, ref] = m;
    if (!authorized(req, res, name)) return;
    if (kind === 'manifests') {
      const found = manifests.get(`${name}\0${ref}`);
      if (!found) return errors(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'content-type': found.mediaType, 'content-length': found.bytes.length, 'docker-content-digest': sha256(found.bytes) });
      return void res.end(req.method === 'HEAD' ? undefined : found.bytes);
    }
    if (!blobs.has(ref)) return errors(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    if (opts.redirectBlobs) return void res.writeHead(307, { location: `${cdnUrl}/cdn/${ref}?signature=abc` }).end();
    const b = blobBytes(ref)!;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length, 'docker-content-digest': ref });
    res.end(req.method === 'HEAD' ? undefined : b);
  });

  const port = (registry.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  const close = (s: http.Server) => new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });
  return {
    host: `127.0.0.1:${port}`,
    url,
    requests,
    putManifest(name, ref, bytes, mediaType) {
      const digest = sha256(bytes);
      manifests.set(`${name}\0${ref}`, { bytes, mediaType });
      manifests.set(`${name}\0${digest}`, { bytes, mediaType });
      return digest;
    },
    putBlob(bytes) {
      const digest = sha256(bytes);
      blobs.set(digest, bytes);
      return digest;
    },
    corruptBlob: (digest) => void corrupt.add(digest),
    failNext: (n) => void (failing = n),
    count: (prefix, server) => requests.filter((r) => r.path.startsWith(prefix) && (!server || r.server === server)).length,
    close: async () => {
      await Promise.all([close(registry), close(cdn)]);
    },
  };
}

// Images to put in it.

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface TestBlob {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  size: number;
}

export interface TestImage {
  config: TestBlob;
  layers: TestBlob[];
  manifest: TestBlob;
}

const blob = (bytes: Buffer, mediaType: string): TestBlob => ({ bytes, digest: sha256(bytes), mediaType, size: bytes.length });

/** A config and `layers` random layers, in an OCI or a Docker v2 schema 2 manifest. */
export function buildImage(opts: { format?: 'oci' | 'docker'; layers?: number; layerSize?: number; architecture?: string; layerMediaType?: string } = {}): TestImage {
  const docker = opts.format === 'docker';
  const layers = Array.from({ length: opts.layers ?? 2 }, () => blob(randomBytes(opts.layerSize ?? 20_000), opts.layerMediaType ?? (docker ? MT.dockerLayer : MT.ociLayer)));
  const configJson = { architecture: opts.architecture ?? 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } };
  const config = blob(Buffer.from(JSON.stringify(configJson)), docker ? MT.dockerConfig : MT.ociConfig);
  const desc = (b: TestBlob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const manifestJson = { schemaVersion: 2, mediaType: docker ? MT.dockerManifest : MT.ociManifest, config: desc(config), layers: layers.map(desc) };
  return { config, layers, manifest: blob(Buffer.from(JSON.stringify(manifestJson, null, 2)), manifestJson.mediaType) };
}

/** The image's blobs and its manifest (under `tag`, and its digest) into the registry. */
export function pushImage(reg: RegistryFixture, name: string, tag: string, img: TestImage): void {
  for (const b of [img.config, ...img.layers]) reg.putBlob(b.bytes);
  reg.putManifest(name, tag, img.manifest.bytes, img.manifest.mediaType);
}

export interface IndexEntry {
  image: TestImage;
  platform: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An index (OCI) or manifest list (Docker) of the entries, everything pushed, the index under `tag`. */
export function pushIndex(reg: RegistryFixture, name: string, tag: string, entries: IndexEntry[], format: 'oci' | 'docker' = 'oci'): TestBlob {
  for (const e of entries) pushImage(reg, name, e.image.manifest.digest, e.image);
  const mediaType = format === 'docker' ? MT.dockerList : MT.ociIndex;
  const indexJson = {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map((e) => ({ mediaType: e.image.manifest.mediaType, digest: e.image.manifest.digest, size: e.image.manifest.size, platform: e.platform, ...(e.annotations ? { annotations: e.annotations } : {}) })),
  };
  const index = blob(Buffer.from(JSON.stringify(indexJson)), mediaType);
  reg.putManifest(name, tag, index.bytes, mediaType);
  return index;
}

/** A BuildKit attestation manifest for `of`: the index entry as `docker buildx` writes it. */
export function attestationEntry(of: TestImage, platform = { os: 'unknown', architecture: 'unknown' }): IndexEntry {
  const image = buildImage({ layers: 1, layerSize: 100, layerMediaType: 'application/vnd.in-toto+json' });
  return { image, platform, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': of.manifest.digest } };
}

// The registry client against an in-process registry on 127.0.0.1: auth (anonymous and credentialed
// Bearer tokens, Basic), indexes and platforms, both manifest schemas, CDN redirects, corruption,
// retries, mirrors, deduplication, and the config and parsing helpers underneath.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BlobStore } from '../src/runtime/images/content/blobStore.js';
import { parseWwwAuthenticate } from '../src/runtime/images/registry/authChallenge.js';
import { credentialsFor, credentialsFromDockerConfigJson, loadDockerConfigFile } from '../src/runtime/images/registry/credentials.js';
import { httpRequest } from '../src/runtime/images/registry/httpClient.js';
import { hostPlatform } from '../src/runtime/images/registry/platform.js';
import { pullImage, RegistryError, type PullProgress } from '../src/runtime/images/registry/pullImage.js';
import { OFFLINE_ENV, parseRegistryConfig, registryEndpoints, type RegistryConfig } from '../src/runtime/images/registry/registryConfig.js';
import { attestationEntry, buildImage, MT, pushImage, pushIndex, startRegistry, type RegistryFixture, type RegistryFixtureOptions } from './helpers/registryFixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-registry-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function registry(opts?: RegistryFixtureOptions): Promise<RegistryFixture> {
  const reg = await startRegistry(opts);
  cleanups.push(() => reg.close());
  return reg;
}

/** No credentials file of the machine running the tests gets involved. */
function config(extra: Partial<RegistryConfig> = {}): RegistryConfig {
  const none = join(tempDir(), 'none.json');
  writeFileSync(none, '{}');
  return { hosts: {}, credentialsFile: none, ...extra };
}

function dockerConfig(auths: Record<string, unknown>): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify({ auths }));
  return file;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function expectInStore(store: BlobStore, ...blobs: { digest: string; bytes: Buffer }[]): void {
  for (const b of blobs) expect(store.read(b.digest).equals(b.bytes)).toBe(true);
}

async function pullError(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe('pull', () => {
  it('pulls anonymously through a Bearer token, storing manifest, config and layers', async () => {
    const reg = await registry({ auth: { type: 'bearer' } });
    const img = buildImage({ layers: 3 });
    pushImage(reg, 'team/app', 'v1', img);
    const store = new BlobStore(tempDir());
    const progress: PullProgress[] = [];
    const pulled = await pullImage(`${reg.host}/team/app:v1`, store, { config: config(), onProgress: (p) => progress.push(p) });
    expect(pulled).toMatchObject({
      reference: `${reg.host}/team/app:v1`,
      repository: `${reg.host}/team/app`,
      manifestDigest: img.manifest.digest,
      manifestMediaType: MT.ociManifest,
      configDigest: img.config.digest,
      layers: img.layers.map((l) => ({ digest: l.digest, mediaType: MT.ociLayer, size: l.size })),
      size: img.manifest.size + img.config.size + img.layers.reduce((n, l) => n + l.size, 0),
    });
    expectInStore(store, img.manifest, img.config, ...img.layers);
    const tokenRequests = reg.requests.filter((r) => r.path.startsWith('/token'));
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].authorization).toBeUndefined();
    expect(new URL(tokenRequests[0].path, reg.url).searchParams.getAll('scope')).toContain('repository:team/app:pull');
    expect(reg.requests.filter((r) => r.path.startsWith('/v2/team/app/blobs/')).every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['resolving', 'manifest', 'layer', 'done']));
  });

  it('takes the token from access_token too, and pulls a reference by digest (tag and digest: the digest wins)', async () => {
    const reg = await registry({ auth: { type: 'bearer', tokenField: 'access_token' } });
    const img = buildImage();
    pushImage(reg, 'app', 'v1', img);
    const store = new BlobStore(tempDir());
    const pulled = await pullImage(`${reg.host}/app:ignored@${img.manifest.digest}`, store, { config: config() });
    expect(pulled.manifestDigest).toBe(img.manifest.digest);
    expect(reg.count(`/v2/app/manifests/${img.manifest.digest}`)).toBeGreaterThan(0);
    expect(reg.count('/v2/app/manifests/ignored')).toBe(0);
  });

  it('refuses manifest bytes that do not hash to the digest asked for', async () => {
    const reg = await registry();
    const img = buildImage();
    const other = buildImage();
    pushImage(reg, 'app', 'v1', img);
    reg.putManifest('app', other.manifest.digest, img.manifest.bytes, img.manifest.mediaType);
    const store = new BlobStore(tempDir());
    const err = await pullError(pullImage(`${reg.host}/app@${other.manifest.digest}`, store, { config: config() }));
    expect(err.message).toMatch(/digest mismatch/);
    expect(store.list()).toEqual([]);
  });

  it('fetches the token with the credentials of a docker config.json, and says when they are refused', async () => {
    const reg = await registry({ auth: { type: 'bearer', username: 'alice', password: 's3cret' } });
    const img = buildImage();
    pushImage(reg, 'private/app', 'v1', img);
    const good = dockerConfig({ [`http://${reg.host}/v2/`]: { auth: b64('alice:s3cret') } });
    const pulled = await pullImage(`${reg.host}/private/app:v1`, new BlobStore(tempDir()), { config: config({ credentialsFile: good }) });
    expect(pulled.configDigest).toBe(img.config.digest);
    expect(reg.requests.find((r) => r.path.startsWith('/token'))?.authorization).toBe(`Basic ${b64('alice:s3cret')}`);

    const bad = dockerConfig({ [reg.host]: { username: 'alice', password: 'wrong' } });
    const err = await pullError(pullImage(`${reg.host}/private/app:v1`, new BlobStore(tempDir()), { config: config({ credentialsFile: bad }) }));
    expect(err.message).toContain(`failed to resolve reference "${reg.host}/private/app:v1": failed to authorize: failed to fetch token`);
    expect(err.message).toContain('401 Unauthorized');
    expect(err.message).toContain(`the credentials for ${reg.host} from ${bad} were refused`);

    const none = await pullError(pullImage(`${reg.host}/private/app:v1`, new BlobStore(tempDir()), { config: config() }));
    expect(none.message).toMatch(/failed to fetch anonymous token.*401.*the registry needs credentials: no credentials for 127\.0\.0\.1:\d+ were found/);
    expect(none.code).toBe('credentials');
  });

  it('prefers the caller-given credentials (pull secrets) over the file', async () => {
    const reg = await registry({ auth: { type: 'basic', username: 'bob', password: 'pw' } });
    const img = buildImage({ layers: 1 });
    pushImage(reg, 'app', 'v1', img);
    const file = dockerConfig({ [reg.host]: { auth: b64('bob:stale') } });
    const extraCredentials = credentialsFromDockerConfigJson({ auths: { [reg.host]: { username: 'bob', password: 'pw' } } }, 'secret default/regcred');
    const pulled = await pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config({ credentialsFile: file }), extraCredentials });
    expect(pulled.layers).toHaveLength(1);
  });

  it('answers a Basic challenge with the credentials, and asks for them when there are none', async () => {
    const reg = await registry({ auth: { type: 'basic', username: 'bob', password: 'pw' } });
    const img = buildImage();
    pushImage(reg, 'app', 'v1', img);
    const file = dockerConfig({ [reg.host]: { username: 'bob', password: 'pw' } });
    const store = new BlobStore(tempDir());
    await pullImage(`${reg.host}/app:v1`, store, { config: config({ credentialsFile: file }) });
    expectInStore(store, img.config, ...img.layers);
    expect(reg.requests.filter((r) => r.status === 200).every((r) => r.authorization === `Basic ${b64('bob:pw')}`)).toBe(true);

    const err = await pullError(pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config() }));
    expect(err.message).toMatch(/requires a username and password \(Basic authentication\): no credentials for 127\.0\.0\.1:\d+ were found \(looked in .*none\.json\)/);

    const wrong = dockerConfig({ [reg.host]: { username: 'bob', password: 'nope' } });
    const denied = await pullError(pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config({ credentialsFile: wrong }) }));
    expect(denied.message).toContain('pull access denied, repository does not exist or may require authorization: server message: UNAUTHORIZED: authentication required');
  });

  it.each(['oci', 'docker'] as const)('picks the host platform from a %s index, skipping attestations', async (format) => {
    const reg = await registry();
    const amd64 = buildImage({ format, architecture: 'amd64' });
    const arm64 = buildImage({ format, architecture: 'arm64' });
    const host = hostPlatform();
    const attest = [attestationEntry(amd64), attestationEntry(arm64, { os: host.os, architecture: host.architecture })];
    const index = pushIndex(
      reg,
      'multi',
      'latest',
      [attest[1], { image: amd64, platform: { os: 'linux', architecture: 'amd64' } }, { image: arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, attest[0]],
      format,
    );
    const store = new BlobStore(tempDir());
    const want = host.architecture === 'arm64' ? arm64 : amd64;
    const platform = host.architecture === 'arm64' || host.architecture === 'amd64' ? undefined : { os: 'linux', architecture: 'amd64' };
    const pulled = await pullImage(`${reg.host}/multi`, store, { config: config(), ...(platform ? { platform } : {}) });
    expect(pulled.manifestDigest).toBe(index.digest);
    expect(pulled.manifestMediaType).toBe(format === 'oci' ? MT.ociIndex : MT.dockerList);
    expect(pulled.platformManifestDigest).toBe(want.manifest.digest);
    expect(pulled.configDigest).toBe(want.config.digest);
    expect(pulled.layers[0].mediaType).toBe(format === 'oci' ? MT.ociLayer : MT.dockerLayer);
    expectInStore(store, index, want.manifest, want.config, ...want.layers);
    for (const a of attest) expect(reg.count(`/v2/multi/manifests/${a.image.manifest.digest}`)).toBe(0);

    const other = host.architecture === 'arm64' ? amd64 : arm64;
    const otherPlatform = host.architecture === 'arm64' ? { os: 'linux', architecture: 'amd64' } : { os: 'linux', architecture: 'arm64' };
    const pulledOther = await pullImage(`${reg.host}/multi`, new BlobStore(tempDir()), { config: config(), platform: otherPlatform });
    expect(pulledOther.configDigest).toBe(other.config.digest);

    const err = await pullError(pullImage(`${reg.host}/multi`, new BlobStore(tempDir()), { config: config(), platform: { os: 'linux', architecture: 's390x' } }));
    expect(err.message).toBe(`failed to pull image "${reg.host}/multi:latest": no match for platform in manifest: the image is for linux/amd64, linux/arm64/v8, not linux/s390x`);
  });

  it('pulls a Docker v2 schema 2 image', async () => {
    const reg = await registry();
    const img = buildImage({ format: 'docker' });
    pushImage(reg, 'legacy', 'v2', img);
    const store = new BlobStore(tempDir());
    const pulled = await pullImage(`${reg.host}/legacy:v2`, store, { config: config() });
    expect(pulled.manifestMediaType).toBe(MT.dockerManifest);
    expect(pulled.layers.map((l) => l.mediaType)).toEqual([MT.dockerLayer, MT.dockerLayer]);
    expectInStore(store, img.manifest, img.config, ...img.layers);
  });

  it('refuses schema 1 manifests and foreign layers', async () => {
    const reg = await registry();
    reg.putManifest('old', 'v1', Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'old', tag: 'v1', fsLayers: [] })), 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    const err = await pullError(pullImage(`${reg.host}/old:v1`, new BlobStore(tempDir()), { config: config() }));
    expect(err.message).toContain('schema 1 manifests are not supported');

    const win = buildImage({ format: 'docker', layerMediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip' });
    pushImage(reg, 'win', 'v1', win);
    const store = new BlobStore(tempDir());
    const foreign = await pullError(pullImage(`${reg.host}/win:v1`, store, { config: config() }));
    expect(foreign.message).toMatch(/layer 0 .*non-distributable \(foreign\) layer/);
    expect(reg.count('/v2/win/blobs/')).toBe(0);
  });

  it('follows blob redirects to another port without the Authorization header', async () => {
    const reg = await registry({ auth: { type: 'bearer' }, redirectBlobs: true });
    const img = buildImage();
    pushImage(reg, 'app', 'v1', img);
    const store = new BlobStore(tempDir());
    await pullImage(`${reg.host}/app:v1`, store, { config: config() });
    expectInStore(store, img.config, ...img.layers);
    const cdn = reg.requests.filter((r) => r.server === 'cdn');
    expect(cdn).toHaveLength(3);
    expect(cdn.every((r) => r.status === 200 && r.authorization === undefined)).toBe(true);
    expect(reg.requests.filter((r) => r.server === 'registry' && r.path.includes('/blobs/')).every((r) => r.status === 307 && r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('drops the Authorization header on a cross-origin redirect, which the CDN would refuse', async () => {
    const reg = await registry({ redirectBlobs: true });
    const img = buildImage({ layers: 1 });
    pushImage(reg, 'app', 'v1', img);
    // The CDN refuses credentials, so a header that survived the cross-port redirect fails the request.
    const res = await httpRequest(`${reg.url}/v2/app/blobs/${img.layers[0].digest}`, { headers: { authorization: 'Bearer x' }, timeoutMs: 5000 });
    expect(res.status).toBe(200);
    res.discard();
    const cdnPath = reg.requests.find((r) => r.server === 'cdn')!.path;
    const cdnUrl = new URL(cdnPath, `http://127.0.0.1:${new URL(res.url).port}`).href;
    const direct = await httpRequest(cdnUrl, { headers: { authorization: 'Bearer x' }, timeoutMs: 5000 });
    expect(direct.status).toBe(403);
    direct.discard();
  });

  it('times out a server that never answers, and stops when cancelled', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => (silent.closeAllConnections(), silent.close(() => r()))));
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    const err = await pullError(pullImage(`${host}/app:v1`, new BlobStore(tempDir()), { config: config({ timeoutMs: 150, retries: 0 }) }));
    expect(err.message).toMatch(/failed to resolve reference .*: GET http:\/\/127\.0\.0\.1:\d+\/v2\/app\/manifests\/v1: no answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);

    const abort = new AbortController();
    const pulling = pullImage(`${host}/app:v2`, new BlobStore(tempDir()), { config: config(), signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const cancelled = await pullError(pulling);
    expect(cancelled.code).toBe('cancelled');
    expect(cancelled.message).toContain('the pull was cancelled');
  });

  it('refuses a corrupted blob and leaves nothing of it in the store', async () => {
    const reg = await registry();
    const img = buildImage({ layers: 2 });
    pushImage(reg, 'app', 'v1', img);
    reg.corruptBlob(img.layers[1].digest);
    const dir = tempDir();
    const store = new BlobStore(dir);
    const err = await pullError(pullImage(`${reg.host}/app:v1`, store, { config: config() }));
    expect(err.code).toBe('digest-mismatch');
    expect(err.message).toMatch(new RegExp(`^failed to copy: blob ${img.layers[1].digest} of http://127\\.0\\.0\\.1:\\d+/v2/app: digest mismatch: expected ${img.layers[1].digest}, got sha256:`));
    expect(store.has(img.layers[1].digest)).toBe(false);
    expect(existsSync(join(dir, 'ingest')) ? readdirSync(join(dir, 'ingest')) : []).toEqual([]);
    expect(store.has(img.layers[0].digest)).toBe(true);
  });

  it('retries 503s with backoff, and gives up after the configured retries', async () => {
    const reg = await registry({ auth: { type: 'bearer' } });
    const img = buildImage();
    pushImage(reg, 'app', 'v1', img);
    reg.failNext(2);
    const pulled = await pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config() });
    expect(pulled.configDigest).toBe(img.config.digest);
    expect(reg.requests.filter((r) => r.status === 503)).toHaveLength(2);

    reg.failNext(5);
    const err = await pullError(pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config({ retries: 1 }) }));
    expect(err.message).toMatch(/unexpected status from GET request to .*\/v2\/app\/manifests\/v1: 503 Service Unavailable: server message: UNAVAILABLE: try again later \(after 2 attempts\)/);
    expect(reg.requests.filter((r) => r.status === 503)).toHaveLength(4);
  });

  it('says "not found" for an unknown tag, without retrying the 404', async () => {
    const reg = await registry();
    const err = await pullError(pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config() }));
    expect(err.message).toBe(`failed to resolve reference "${reg.host}/app:v1": ${reg.host}/app:v1: not found`);
    expect(err.code).toBe('not-found');
    expect(reg.count('/v2/app/manifests/v1')).toBe(1);
  });

  it('deduplicates concurrent pulls of the same reference into the same store', async () => {
    const reg = await registry({ auth: { type: 'bearer' } });
    const img = buildImage({ layers: 3 });
    pushImage(reg, 'app', 'v1', img);
    const store = new BlobStore(tempDir());
    const results = await Promise.all([0, 1, 2].map(() => pullImage(`${reg.host}/app:v1`, store, { config: config() })));
    expect(results[1]).toEqual(results[0]);
    for (const b of [img.config, ...img.layers]) expect(reg.count(`/v2/app/blobs/${b.digest}`)).toBe(1);
    expect(reg.count('/v2/app/manifests/v1')).toBe(2); // the 401, then the answer: once
    // Later, the blobs already present are not downloaded again.
    await pullImage(`${reg.host}/app:v1`, store, { config: config() });
    expect(reg.count('/v2/app/blobs/')).toBe(4);
  });

  it('tries the mirrors first, and falls back to the registry when they are down or lack the image', async () => {
    const reg = await registry();
    const mirror = await registry();
    const img = buildImage();
    pushImage(mirror, 'app', 'v1', img);
    const pulled = await pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config({ hosts: { [reg.host]: { mirrors: [mirror.url] } } }) });
    expect(pulled.configDigest).toBe(img.config.digest);
    expect(reg.requests).toHaveLength(0);
    expect(mirror.count('/v2/app/blobs/')).toBe(3);

    const empty = await registry();
    pushImage(reg, 'app', 'v1', img);
    const hosts = { [reg.host]: { mirrors: ['http://127.0.0.1:1', `${empty.url}/v2/`] } };
    const store = new BlobStore(tempDir());
    await pullImage(`${reg.host}/app:v1`, store, { config: config({ hosts, retries: 1 }) });
    expectInStore(store, img.manifest, img.config, ...img.layers);
    expect(empty.count('/v2/app/manifests/v1')).toBe(1);
    expect(reg.count('/v2/app/blobs/')).toBe(3);
  });

  it('refuses a manifest larger than 4 MiB', async () => {
    const reg = await registry();
    const huge = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } }));
    reg.putManifest('app', 'huge', huge, MT.ociManifest);
    const store = new BlobStore(tempDir());
    const err = await pullError(pullImage(`${reg.host}/app:huge`, store, { config: config() }));
    expect(err.code).toBe('too-large');
    expect(err.message).toMatch(/manifest huge of .* is larger than the 4 MiB accepted: refused/);
    expect(store.list()).toEqual([]);
  });

  it('reports a malformed credentials file instead of crashing', async () => {
    const reg = await registry();
    const file = join(tempDir(), 'config.json');
    writeFileSync(file, '{"auths": {');
    const err = await pullError(pullImage(`${reg.host}/app:v1`, new BlobStore(tempDir()), { config: config({ credentialsFile: file }) }));
    expect(err.message).toContain(`credentials file ${file}: not valid JSON`);
  });
});

describe('registry config', () => {
  it('names the field at fault', () => {
    const bad: [unknown, string][] = [
      [{ hosts: { x: { mirrors: ['ftp://m'] } } }, 'registries.hosts["x"].mirrors[0]: must be an http:// or https:// URL'],
      [{ hosts: { x: { mirrors: 'http://m' } } }, 'registries.hosts["x"].mirrors: must be a list of URLs'],
      [{ hosts: { x: { insecure: 'yes' } } }, 'registries.hosts["x"].insecure: must be true or false'],
      [{ hosts: { x: { mirror: [] } } }, 'registries.hosts["x"]: unknown field "mirror"'],
      [{ hosts: { 'https://x': {} } }, 'registries.hosts["https://x"]: must be a registry host'],
      [{ retries: -1 }, 'registries.retries: must be a whole number'],
      [{ timeout: 'soon' }, 'registries.timeout: invalid duration "soon"'],
      [{ credentialsFile: 3 }, 'registries.credentialsFile: must be a file path'],
      [{ mirrors: [] }, 'registries: unknown field "mirrors"'],
    ];
    for (const [raw, message] of bad) expect(() => parseRegistryConfig(raw, 'registries'), JSON.stringify(raw)).toThrow(message);
    expect(parseRegistryConfig({ hosts: { 'docker.io': { mirrors: ['https://mirror.gcr.io'] } }, timeout: '1m30s', retries: 0 }, 'r')).toEqual({
      hosts: { 'docker.io': { mirrors: ['https://mirror.gcr.io'] } },
      timeoutMs: 90_000,
      retries: 0,
    });
    expect(parseRegistryConfig({ timeout: 2500 }, 'r').timeoutMs).toBe(2500);
  });

  it('maps hosts to endpoints: Docker Hub, loopback and insecure over http, mirrors first', () => {
    // The suite runs offline (vitest.config.ts); this only maps names, it contacts nothing.
    vi.stubEnv(OFFLINE_ENV, '0');
    const cfg: RegistryConfig = { hosts: { 'docker.io': { mirrors: ['http://127.0.0.1:5000/v2/'] }, 'reg.lan': { insecure: true } } };
    expect(registryEndpoints('docker.io', cfg).map((e) => [e.url, e.mirror])).toEqual([
      ['http://127.0.0.1:5000', true],
      ['https://registry-1.docker.io', false],
    ]);
    expect(registryEndpoints('reg.lan', cfg)[0]).toMatchObject({ url: 'http://reg.lan', insecure: true });
    expect(registryEndpoints('localhost:5000', cfg)[0].url).toBe('http://localhost:5000');
    expect(registryEndpoints('127.1.2.3:80', cfg)[0].url).toBe('http://127.1.2.3:80');
    expect(registryEndpoints('[::1]:5000', cfg)[0].url).toBe('http://[::1]:5000');
    expect(registryEndpoints('ghcr.io', cfg)[0]).toMatchObject({ url: 'https://ghcr.io', insecure: false });
    vi.unstubAllEnvs();
  });

  it(`${OFFLINE_ENV}=1 keeps only loopback endpoints, and a pull with none fails before any request`, async () => {
    vi.stubEnv(OFFLINE_ENV, '1');
    const cfg: RegistryConfig = { hosts: { 'docker.io': { mirrors: ['http://127.0.0.1:5000', 'https://mirror.gcr.io'] } } };
    expect(registryEndpoints('docker.io', cfg).map((e) => e.url)).toEqual(['http://127.0.0.1:5000']);
    const store = new BlobStore(mkdtempSync(join(tmpdir(), 'tinylet-offline-')));
    await expect(pullImage('ghcr.io/team/app:v1', store, { config: { hosts: {} } })).rejects.toThrow(
      `failed to resolve reference "ghcr.io/team/app:v1": ${OFFLINE_ENV}=1: only registries and mirrors on loopback are contacted, and ghcr.io has none`,
    );
    rmSync(store.dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });
});

describe('WWW-Authenticate', () => {
  it('parses several challenges, quoted strings with escapes and tokens', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull", Basic realm="say \\"hi\\", ok"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
      { scheme: 'basic', params: { realm: 'say "hi", ok' } },
    ]);
    expect(parseWwwAuthenticate('Negotiate abc==, BASIC Realm=plain')).toEqual([
      { scheme: 'negotiate', params: { '': 'abc==' } },
      { scheme: 'basic', params: { realm: 'plain' } },
    ]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});

describe('docker config credentials', () => {
  it('reads auth, username/password and identity tokens under any key form', () => {
    const creds = credentialsFromDockerConfigJson({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
        'http://127.0.0.1:5000/v2': { username: 'u', password: 'p' },
        'ghcr.io': { identitytoken: 'refresh' },
        'quay.io': {},
      },
      credsStore: 'desktop',
    }, 'cfg');
    expect(credentialsFor('docker.io', creds)).toEqual({ host: 'docker.io', username: 'hub', password: 'pw:with:colons', source: 'cfg' });
    expect(credentialsFor('127.0.0.1:5000', creds)).toMatchObject({ username: 'u', password: 'p' });
    expect(credentialsFor('ghcr.io', creds)).toMatchObject({ identityToken: 'refresh' });
    expect(credentialsFor('quay.io', creds)).toBeUndefined();
  });

  it('gives clear errors for malformed entries and files', () => {
    expect(() => credentialsFromDockerConfigJson({ auths: { 'x.io': { auth: 'bm9jb2xvbg==' } } }, 'secret s')).toThrow('secret s: auths["x.io"].auth: must be base64 of "username:password"');
    expect(() => credentialsFromDockerConfigJson({ auths: [] }, 'f')).toThrow('f: "auths" must be an object');
    expect(() => credentialsFromDockerConfigJson('nope', 'f')).toThrow('f: must be a JSON object');
    const missing = join(tempDir(), 'missing.json');
    expect(() => loadDockerConfigFile(missing)).toThrow(`credentials file ${missing}: cannot be read`);
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = tempDir();
    try {
      expect(loadDockerConfigFile(undefined)).toEqual([]); // no default file: no credentials, no error
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });
});

// `tinylet image load`: docker save tarballs (legacy and Docker 25+), OCI layouts (directory and tar,
// nested indexes), gzip, stdin, names, and archives that must be refused without tagging anything.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadImages } from '../src/runtime/images/archive/loadArchive.js';
import { ImageStore, type StoredImage } from '../src/runtime/images/imageStore.js';
import { readTar } from '../src/runtime/images/tar/tarReader.js';
import { packTar } from '../src/runtime/images/tar/tarWriter.js';
import { buildImage, busyboxLayer, otherArchitecture, sha256, withArchitecture, writeDockerSave, writeOciLayout, type BuiltImage } from './helpers/ociImage.js';

let dir: string;
let store: ImageStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinylet-load-'));
  store = new ImageStore(join(dir, 'store'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tiny = (n: number, compression: 'gzip' | 'zstd' | 'none' = 'gzip', extra: Partial<Parameters<typeof buildImage>[0]> = {}) =>
  buildImage({
    layers: [[{ name: 'etc/' }, { name: 'etc/hello', content: `hello ${n}\n` }], [{ name: 'data.txt', content: 'x'.repeat(100 * n) }]],
    config: { Cmd: ['/bin/sh', '-c', `echo ${n}`], Env: ['N=' + n] },
    compression,
    ...extra,
  });

async function* stream(...buffers: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const b of buffers) yield b;
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** The record as the OCI forms must store it: the built digests, layers in order, blobs in the store. */
function expectImage(rec: StoredImage | undefined, image: BuiltImage, reference: string, repository: string): void {
  expect(rec).toBeDefined();
  expect(rec!.reference).toBe(reference);
  expect(rec!.repository).toBe(repository);
  expect(rec!.source).toBe('loaded');
  expect(rec!.configDigest).toBe(image.configDigest);
  expect(rec!.manifestDigest).toBe(image.manifestDigest);
  expect(rec!.layers).toEqual(image.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })));
  expect(rec!.size).toBe(image.configBytes.length + image.layers.reduce((n, l) => n + l.size, 0));
  expect(store.get(reference)?.configDigest).toBe(image.configDigest);
  for (const d of [image.configDigest, image.manifestDigest, ...image.layers.map((l) => l.digest)]) expect(store.blobs.has(d)).toBe(true);
  expect(store.blobs.read(image.manifestDigest).equals(image.manifestBytes)).toBe(true);
}

/** What a legacy docker save gives: the uncompressed tars (digest = diff ID), no manifest. */
function expectLegacy(rec: StoredImage | undefined, image: BuiltImage, reference: string, repository: string): void {
  expect(rec).toBeDefined();
  expect(rec!.reference).toBe(reference);
  expect(rec!.repository).toBe(repository);
  expect(rec!.source).toBe('loaded');
  expect(rec!.manifestDigest).toBeUndefined();
  expect(rec!.configDigest).toBe(image.configDigest);
  expect(rec!.layers).toEqual(image.layers.map((l) => ({ digest: l.diffID, mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: l.tar.length })));
  expect(store.get(reference)?.configDigest).toBe(image.configDigest);
  expect(store.blobs.read(image.configDigest).equals(image.configBytes)).toBe(true);
  for (const l of image.layers) expect(store.blobs.read(l.diffID).equals(l.tar)).toBe(true);
}

async function loadError(source: string, opts: Parameters<typeof loadImages>[2] = {}): Promise<string> {
  try {
    await loadImages(source, store, opts);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the load succeeded');
}

describe('docker save, legacy form', () => {
  it('loads a tagged image: uncompressed layers stored under their diff IDs, config by its digest', async () => {
    const image = tiny(1);
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image, tags: ['app:v1'] }], 'legacy');
    const progress: string[] = [];
    const loaded = await loadImages(file, store, { onProgress: (m) => progress.push(m) });
    expect(loaded).toHaveLength(1);
    expectLegacy(loaded[0], image, 'docker.io/library/app:v1', 'docker.io/library/app');
    expect(progress).toContain('Loaded image: docker.io/library/app:v1');
    expect(store.list().map((i) => i.reference)).toEqual(['docker.io/library/app:v1']);
  });

  it('loads two tags of one image, and an untagged image under its config digest', async () => {
    const a = tiny(1);
    const b = tiny(2);
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image: a, tags: ['app:v1', 'localhost:5000/team/app:v2'] }, { image: b, tags: [] }], 'legacy');
    const loaded = await loadImages(file, store);
    expect(loaded.map((i) => i.reference)).toEqual(['docker.io/library/app:v1', 'localhost:5000/team/app:v2', b.configDigest]);
    expectLegacy(loaded[0], a, 'docker.io/library/app:v1', 'docker.io/library/app');
    expectLegacy(loaded[1], a, 'localhost:5000/team/app:v2', 'localhost:5000/team/app');
    expectLegacy(loaded[2], b, b.configDigest, '');
    expect(store.list()).toHaveLength(3);
  });

  it('follows a layer.tar written as a symlink to the same layer under another id', async () => {
    const layer = [{ name: 'same.txt', content: 'same' }];
    const image = buildImage({ layers: [layer, [{ name: 'top.txt', content: 'top' }], layer], compression: 'none' });
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image, tags: ['dup:1'] }], 'legacy');
    const names: { name: string; type: string }[] = [];
    await readTar(stream(readFileSync(file)), (h) => void names.push({ name: h.name, type: h.type }));
    expect(names.filter((n) => n.name.endsWith('/layer.tar')).map((n) => n.type)).toEqual(['file', 'file', 'symlink']);
    const [rec] = await loadImages(file, store);
    expectLegacy(rec, image, 'docker.io/library/dup:1', 'docker.io/library/dup');
    expect(rec!.layers[0]!.digest).toBe(rec!.layers[2]!.digest);
  });

  it('reads a manifest.json naming blobs/sha256 paths, its compressed layers told by their magic bytes', async () => {
    const image = tiny(15, 'gzip');
    const file = join(dir, 'save.tar');
    writeFileSync(
      file,
      packTar([
        ...image.layers.map((l) => ({ name: `blobs/sha256/${hexOf(l.digest)}`, content: l.bytes })),
        { name: `blobs/sha256/${hexOf(image.configDigest)}`, content: image.configBytes },
        { name: 'manifest.json', content: JSON.stringify([{ Config: `blobs/sha256/${hexOf(image.configDigest)}`, RepoTags: ['blobs:1'], Layers: image.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`) }]) },
      ]),
    );
    const [rec] = await loadImages(file, store);
    expect(rec!.manifestDigest).toBeUndefined();
    expect(rec!.configDigest).toBe(image.configDigest);
    expect(rec!.layers).toEqual(image.layers.map((l) => ({ digest: l.digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.size })));
  });

  it('refuses a manifest.json layer that is not in the archive, naming the field', async () => {
    const image = tiny(1, 'none');
    const file = join(dir, 'bad.tar');
    writeFileSync(
      file,
      packTar([
        { name: 'l0/layer.tar', content: image.layers[0]!.tar },
        { name: 'cfg.json', content: image.configBytes },
        { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['app:v1'], Layers: ['l0/layer.tar', 'abc/layer.tar'] }]) },
      ]),
    );
    expect(await loadError(file)).toBe('image load: manifest.json[0].Layers[1]: "abc/layer.tar" is not in the archive');
    expect(store.list()).toEqual([]);
  });

  it('refuses a manifest.json that is not JSON, naming the file', async () => {
    const file = join(dir, 'bad.tar');
    writeFileSync(file, packTar([{ name: 'manifest.json', content: '[{"Config": ' }]));
    expect(await loadError(file)).toMatch(/^image load: manifest\.json: invalid JSON: /);
  });

  it('refuses a config whose diff_ids are not one per layer', async () => {
    const image = tiny(1, 'none');
    const config = JSON.parse(image.configBytes.toString()) as { rootfs: { diff_ids: string[] } };
    config.rootfs.diff_ids.pop();
    const file = join(dir, 'bad.tar');
    writeFileSync(
      file,
      packTar([
        { name: 'a/layer.tar', content: image.layers[0]!.tar },
        { name: 'b/layer.tar', content: image.layers[1]!.tar },
        { name: 'cfg.json', content: JSON.stringify(config) },
        { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['app:v1'], Layers: ['a/layer.tar', 'b/layer.tar'] }]) },
      ]),
    );
    expect(await loadError(file)).toBe('image load: manifest.json[0].Layers: 2 layers, but the config cfg.json lists 1 in rootfs.diff_ids');
    expect(store.list()).toEqual([]);
  });

  it('refuses a layer.tar that is not the layer its config names, and a bad RepoTags entry', async () => {
    const image = tiny(1, 'none');
    const entries = [
      { name: 'a/layer.tar', content: image.layers[1]!.tar },
      { name: 'b/layer.tar', content: image.layers[0]!.tar },
      { name: 'cfg.json', content: image.configBytes },
    ];
    const file = join(dir, 'bad.tar');
    writeFileSync(file, packTar([...entries, { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['app:v1'], Layers: ['a/layer.tar', 'b/layer.tar'] }]) }]));
    expect(await loadError(file)).toBe(`image load: manifest.json[0].Layers[0]: "a/layer.tar" has digest ${image.layers[1]!.diffID}, but the config's rootfs.diff_ids[0] is ${image.layers[0]!.diffID}`);
    writeFileSync(file, packTar([...entries, { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['App:V1'], Layers: ['b/layer.tar', 'a/layer.tar'] }]) }]));
    expect(await loadError(file)).toMatch(/^image load: manifest\.json\[0\]\.RepoTags\[0\]: "App:V1" is not a valid image reference: .*lowercase/);
    expect(store.list()).toEqual([]);
  });
});

describe('docker save, Docker 25+ OCI form', () => {
  it('prefers index.json (the manifest is kept) and names images by io.containerd.image.name', async () => {
    const a = tiny(1, 'none');
    const b = tiny(2, 'gzip');
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image: a, tags: ['app:v1', 'app:latest'] }, { image: b, tags: [] }], 'oci');
    const loaded = await loadImages(file, store);
    expect(loaded.map((i) => i.reference)).toEqual(['docker.io/library/app:v1', 'docker.io/library/app:latest', b.configDigest]);
    expectImage(loaded[0], a, 'docker.io/library/app:v1', 'docker.io/library/app');
    expectImage(loaded[1], a, 'docker.io/library/app:latest', 'docker.io/library/app');
    expectImage(loaded[2], b, b.configDigest, '');
  });

  it('accepts the archive gzip-compressed (docker save | gzip)', async () => {
    const image = tiny(3, 'none');
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image, tags: ['gz:1'] }], 'oci');
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
    const [rec] = await loadImages(`${file}.gz`, store);
    expectImage(rec, image, 'docker.io/library/gz:1', 'docker.io/library/gz');
  });

  it('reads stdin in one pass, in small chunks', async () => {
    const image = tiny(4, 'gzip');
    const file = join(dir, 'save.tar');
    writeDockerSave(file, [{ image, tags: ['stdin:1'] }], 'legacy');
    const bytes = gzipSync(readFileSync(file));
    let reads = 0;
    const stdin = (async function* () {
      for (let off = 0; off < bytes.length; off += 777) {
        reads++;
        yield new Uint8Array(bytes.subarray(off, off + 777));
      }
    })();
    const [rec] = await loadImages('-', store, { stdin });
    expectLegacy(rec, image, 'docker.io/library/stdin:1', 'docker.io/library/stdin');
    expect(reads).toBe(Math.ceil(bytes.length / 777));
  });
});

describe('OCI image layouts', () => {
  it('loads a directory: a tag-only ref.name with --name, and a full one as it is', async () => {
    const a = tiny(1);
    const b = tiny(2, 'zstd');
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image: a, ref: 'v1' }, { image: b, ref: 'localhost:5000/x/app:v2' }]);
    const loaded = await loadImages(layout, store, { name: 'myapp' });
    expectImage(loaded[0], a, 'docker.io/library/myapp:v1', 'docker.io/library/myapp');
    expectImage(loaded[1], b, 'localhost:5000/x/app:v2', 'localhost:5000/x/app');
  });

  it('refuses a tag-only name without --name, telling the user to pass it (and tags none of the others)', async () => {
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image: tiny(2), ref: 'docker.io/library/fine:1' }, { image: tiny(1), ref: 'v1' }]);
    const msg = await loadError(layout);
    expect(msg).toContain('index.json.manifests[1].annotations["org.opencontainers.image.ref.name"]: "v1" is only a tag');
    expect(msg).toContain('pass --name REPO');
    expect(store.list()).toEqual([]);
    expect(await loadError(layout, { name: 'app:v2' })).toBe('image load: --name "app:v2": must be a repository, without a tag or a digest');
  });

  it('stores an unnamed entry as <name>@<manifest digest> with --name, else under its config digest', async () => {
    const image = tiny(5);
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image }]);
    const [named] = await loadImages(layout, store, { name: 'registry.example/app' });
    expectImage(named, image, `registry.example/app@${image.manifestDigest}`, 'registry.example/app');
    const [bare] = await loadImages(layout, store);
    expectImage(bare, image, image.configDigest, '');
  });

  it('loads a tar of a layout (zstd and Docker v2 media types)', async () => {
    const image = tiny(6, 'zstd');
    const docker = tiny(7, 'gzip', { docker: true });
    expect(image.layers[0]!.bytes.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    expect(docker.manifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const file = join(dir, 'layout.tar');
    writeOciLayout(file, [{ image, ref: 'docker.io/library/z:1' }, { image: docker, ref: 'docker.io/library/d:1' }], { tar: true });
    const loaded = await loadImages(file, store);
    expectImage(loaded[0], image, 'docker.io/library/z:1', 'docker.io/library/z');
    expectImage(loaded[1], docker, 'docker.io/library/d:1', 'docker.io/library/d');
    expect(loaded[1]!.layers[0]!.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });

  it('chooses the host platform of a nested index, never the attestation', async () => {
    const image = tiny(8);
    const file = join(dir, 'nested.tar');
    writeOciLayout(file, [{ image, ref: 'v1' }], { tar: true, nested: true });
    const [rec] = await loadImages(file, store, { name: 'multi' });
    expectImage(rec, image, 'docker.io/library/multi:v1', 'docker.io/library/multi');
    expect(rec!.manifestDigest).not.toBe(withArchitecture(image, otherArchitecture()).manifestDigest);
  });

  it('skips an attestation manifest listed in index.json itself', async () => {
    const image = tiny(14);
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image, ref: 'docker.io/library/att:1' }], { nested: true });
    const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: object[] };
    const nested = JSON.parse(readFileSync(join(layout, 'blobs/sha256', hexOf((top.manifests[0] as { digest: string }).digest)), 'utf8')) as { manifests: object[] };
    top.manifests.unshift(nested.manifests[1]!);
    writeFileSync(join(layout, 'index.json'), JSON.stringify(top));
    const loaded = await loadImages(layout, store);
    expect(loaded.map((i) => i.reference)).toEqual(['docker.io/library/att:1']);
    expectImage(loaded[0], image, 'docker.io/library/att:1', 'docker.io/library/att');
  });

  it('refuses a nested index with no manifest for this host (only another platform and an attestation)', async () => {
    const image = tiny(9);
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image, ref: 'v1' }], { nested: true });
    // Drop the host's manifest from the nested index, and point index.json at the new index.
    const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number }[] };
    const nested = JSON.parse(readFileSync(join(layout, 'blobs/sha256', hexOf(top.manifests[0]!.digest)), 'utf8')) as { manifests: { platform?: { architecture: string } }[] };
    nested.manifests = nested.manifests.slice(0, 2);
    const bytes = Buffer.from(JSON.stringify(nested));
    writeFileSync(join(layout, 'blobs/sha256', hexOf(sha256(bytes))), bytes);
    top.manifests[0] = { ...top.manifests[0]!, digest: sha256(bytes), size: bytes.length };
    writeFileSync(join(layout, 'index.json'), JSON.stringify(top));
    const msg = await loadError(layout, { name: 'multi' });
    expect(msg).toMatch(new RegExp(`^image load: blobs/sha256/${hexOf(sha256(bytes))}\\.manifests: no manifest for this host's platform linux/`));
    expect(msg).toContain(`(the index has: linux/${otherArchitecture()}`);
    expect(store.list()).toEqual([]);
  });

  it('refuses a blob whose bytes do not match its name, and tags none of the archive', async () => {
    const a = tiny(10);
    const b = tiny(11);
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image: a, ref: 'docker.io/library/a:1' }, { image: b, ref: 'docker.io/library/b:1' }]);
    const victim = join(layout, 'blobs/sha256', hexOf(b.layers[1]!.digest));
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(victim, bytes);
    const msg = await loadError(layout);
    expect(msg).toContain(`image load: blobs/sha256/${hexOf(b.layers[1]!.digest)}: the content does not match its name`);
    expect(store.list()).toEqual([]);
    expect(store.blobs.has(b.layers[1]!.digest)).toBe(false);
    // The same archive as a tar (stdin's case: the bad blob comes in the middle of the stream).
    const file = join(dir, 'layout.tar');
    writeOciLayout(file, [{ image: a, ref: 'docker.io/library/a:1' }, { image: b, ref: 'docker.io/library/b:1' }], { tar: true });
    const tar = readFileSync(file);
    const at = tar.indexOf(b.layers[1]!.bytes);
    tar[at + 10] ^= 0xff;
    expect(await loadError('-', { stdin: stream(tar) })).toContain(`blobs/sha256/${hexOf(b.layers[1]!.digest)}: the content does not match its name`);
    expect(store.list()).toEqual([]);
  });

  it('refuses what the archive gets wrong, naming the file and the field', async () => {
    const image = tiny(12);
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image, ref: 'docker.io/library/a:1' }]);
    const indexPath = join(layout, 'index.json');
    const index = readFileSync(indexPath, 'utf8');
    const manifestPath = join(layout, 'blobs/sha256', hexOf(image.manifestDigest));
    const setIndex = (f: (m: Record<string, unknown>) => void) => {
      const i = JSON.parse(index) as { manifests: Record<string, unknown>[] };
      f(i.manifests[0]!);
      writeFileSync(indexPath, JSON.stringify(i));
    };
    setIndex((m) => (m.size = 3));
    expect(await loadError(layout)).toBe(`image load: index.json.manifests[0].size: 3, but blobs/sha256/${hexOf(image.manifestDigest)} has ${image.manifestBytes.length} bytes`);
    setIndex((m) => (m.digest = 'sha256:abc'));
    expect(await loadError(layout)).toBe('image load: index.json.manifests[0].digest: "sha256:abc" is not a sha256 digest (sha256: and 64 lowercase hex digits)');
    setIndex((m) => (m.mediaType = 'application/vnd.cncf.helm.config.v1+json'));
    expect(await loadError(layout)).toMatch(/^image load: index\.json\.manifests\[0\]\.mediaType: "application\/vnd\.cncf\.helm\.config\.v1\+json" is neither an image manifest nor an image index/);
    writeFileSync(indexPath, '{"schemaVersion": 2, "manifests": [');
    expect(await loadError(layout)).toMatch(/^image load: index\.json: invalid JSON: /);
    writeFileSync(indexPath, index);
    // A manifest whose layer is not one tinylet can unpack (the blob renamed to its new digest).
    const m = JSON.parse(image.manifestBytes.toString()) as { layers: { mediaType: string }[] };
    m.layers[1]!.mediaType = 'application/vnd.oci.image.layer.v1.tar+bzip2';
    const mb = Buffer.from(JSON.stringify(m));
    rmSync(manifestPath);
    writeFileSync(join(layout, 'blobs/sha256', hexOf(sha256(mb))), mb);
    setIndex((d) => Object.assign(d, { digest: sha256(mb), size: mb.length }));
    expect(await loadError(layout)).toMatch(new RegExp(`^image load: blobs/sha256/${hexOf(sha256(mb))}\\.layers\\[1\\]\\.mediaType: "application/vnd\\.oci\\.image\\.layer\\.v1\\.tar\\+bzip2" is not a layer`));
    expect(store.list()).toEqual([]);
  });

  it('refuses a config with fewer diff_ids than layers, and a config that is not JSON', async () => {
    const image = tiny(13);
    const bad = (configBytes: Buffer): BuiltImage => {
      const m = JSON.parse(image.manifestBytes.toString()) as { config: object };
      const manifestBytes = Buffer.from(JSON.stringify({ ...m, config: { mediaType: image.configMediaType, digest: sha256(configBytes), size: configBytes.length } }));
      return { ...image, configBytes, configDigest: sha256(configBytes), manifestBytes, manifestDigest: sha256(manifestBytes) };
    };
    const config = JSON.parse(image.configBytes.toString()) as { rootfs: { diff_ids: string[] } };
    config.rootfs.diff_ids = config.rootfs.diff_ids.slice(1);
    const short = bad(Buffer.from(JSON.stringify(config)));
    writeOciLayout(join(dir, 'a'), [{ image: short, ref: 'docker.io/library/a:1' }]);
    expect(await loadError(join(dir, 'a'))).toBe(`image load: blobs/sha256/${hexOf(short.configDigest)}.rootfs.diff_ids: 1 diff IDs, but its manifest blobs/sha256/${hexOf(short.manifestDigest)} has 2 layers`);
    const notJson = bad(Buffer.from('{"rootfs": '));
    writeOciLayout(join(dir, 'b'), [{ image: notJson, ref: 'docker.io/library/a:1' }]);
    expect(await loadError(join(dir, 'b'))).toMatch(new RegExp(`^image load: blobs/sha256/${hexOf(notJson.configDigest)}: not JSON`));
    expect(store.list()).toEqual([]);
  });

  it('refuses what is no image archive at all', async () => {
    const file = join(dir, 'x.tar');
    writeFileSync(file, packTar([{ name: 'hello.txt', content: 'hi' }]));
    expect(await loadError(file)).toBe(`image load: ${file}: not an image archive: it has neither manifest.json (docker save) nor index.json (an OCI layout)`);
    writeFileSync(file, 'this is not a tar archive, not even close; '.repeat(20));
    expect(await loadError(file)).toMatch(/^image load: .*x\.tar: tar: invalid .*not a tar archive/);
    expect(await loadError(join(dir, 'missing.tar'))).toMatch(/missing\.tar: no such file or directory/);
    writeFileSync(file, execFileSync('/usr/bin/zstd', ['-q', '-c'], { input: packTar([{ name: 'manifest.json', content: '[]' }]) }));
    expect(await loadError(file)).toBe(`image load: ${file}: zstd-compressed archives are not supported: decompress it first (or use gzip)`);
    writeFileSync(file, packTar([{ name: 'manifest.json', content: '[]' }]));
    expect(await loadError(file)).toBe('image load: manifest.json: empty list, the archive holds no image');
  });
});

describe('busybox images and the real tools', () => {
  it('builds a busybox root layer and loads it through skopeo docker-archive and oci conversions', async () => {
    const image = buildImage({ layers: [busyboxLayer([{ name: 'app/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 }])], config: { Entrypoint: ['/app/run.sh'], User: 'app' } });
    const entries = new Map<string, { type: string; linkname: string; mode: number; size: number }>();
    await readTar(stream(image.layers[0]!.tar), (h) => void entries.set(h.name, h));
    expect(entries.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755, size: readFileSync('/bin/busybox').length });
    expect(entries.get('bin/sh')).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    expect(entries.get('tmp/')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(entries.get('app/run.sh')).toMatchObject({ type: 'file', mode: 0o755 });

    // OCI layout -> skopeo -> docker-archive: the layers come back uncompressed, the config as it was.
    const layout = join(dir, 'layout');
    writeOciLayout(layout, [{ image, ref: 'v1' }]);
    const archive = join(dir, 'docker.tar');
    execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${layout}:v1`, `docker-archive:${archive}:app:v1`]);
    const [viaDocker] = await loadImages(archive, store);
    expectLegacy(viaDocker, image, 'docker.io/library/app:v1', 'docker.io/library/app');

    // Our legacy docker save -> skopeo -> an OCI layout of its own making.
    const save = join(dir, 'save.tar');
    writeDockerSave(save, [{ image, tags: ['bb:1'] }], 'legacy');
    const skopeoLayout = join(dir, 'skopeo-layout');
    execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${save}`, `oci:${skopeoLayout}:v2`]);
    const [viaOci] = await loadImages(skopeoLayout, store, { name: 'bb' });
    expect(viaOci!.reference).toBe('docker.io/library/bb:v2');
    // skopeo rewrites the config as an OCI one: the layer it names is still ours.
    expect(store.config(viaOci!).diffIDs).toEqual([image.layers[0]!.diffID]);
    expect(store.config(viaOci!).config.user).toBe('app');
    expect(viaOci!.layers).toHaveLength(1);
    expect(store.blobs.has(viaOci!.manifestDigest!)).toBe(true);
  });
});

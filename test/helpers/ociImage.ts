// OCI images built on the fly, for tests: layers from TarInput lists, a config, an OCI (or Docker v2)
// manifest, and the archives tools write of them: `docker save` (legacy and Docker 25+'s OCI form) and
// OCI image layouts (a directory, or its tar, as `skopeo copy ... oci:` and `oci-archive:` write them).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hostPlatform } from '../../src/runtime/images/archive/platformChoice.js';
import { parseImageReference } from '../../src/runtime/images/reference.js';
import { packTar, type TarInput } from '../../src/runtime/images/tar/tarWriter.js';

export type { TarInput };

export interface ImageConfigInput {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  StopSignal?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export interface BuiltLayer {
  /** The layer blob as the manifest names it (compressed as asked). */
  bytes: Buffer;
  digest: string;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffID: string;
  mediaType: string;
  size: number;
  /** The uncompressed tar (what a legacy docker save writes as layer.tar). */
  tar: Buffer;
}

export interface BuiltImage {
  config: ImageConfigInput;
  configBytes: Buffer;
  configDigest: string;
  configMediaType: string;
  architecture: string;
  layers: BuiltLayer[];
  /** The OCI image manifest (Docker v2 schema 2 with `docker: true`). */
  manifestBytes: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
}

const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

const LAYER_MT = {
  oci: { none: 'application/vnd.oci.image.layer.v1.tar', gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd' },
  docker: { none: 'application/vnd.docker.image.rootfs.diff.tar', gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd' },
} as const;

/** The host's architecture as image indexes name it (amd64 for x64). */
export function hostArchitecture(): string {
  return hostPlatform().architecture;
}

/** An architecture that is not the host's (for multi-platform indexes). */
export function otherArchitecture(): string {
  return hostArchitecture() === 'amd64' ? 'arm64' : 'amd64';
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function hex(digest: string): string {
  return digest.slice('sha256:'.length);
}

function compress(tar: Buffer, compression: 'gzip' | 'zstd' | 'none'): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return execFileSync('/usr/bin/zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

export function buildImage(spec: { layers: TarInput[][]; config?: ImageConfigInput; compression?: 'gzip' | 'zstd' | 'none'; architecture?: string; docker?: boolean }): BuiltImage {
  const compression = spec.compression ?? 'gzip';
  const kind = spec.docker ? 'docker' : 'oci';
  const layers: BuiltLayer[] = spec.layers.map((entries) => {
    const tar = packTar(entries);
    const bytes = compress(tar, compression);
    return { bytes, digest: sha256(bytes), diffID: sha256(tar), mediaType: LAYER_MT[kind][compression], size: bytes.length, tar };
  });
  const architecture = spec.architecture ?? hostArchitecture();
  const config = spec.config ?? {};
  const configBytes = Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      architecture,
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test/helpers/ociImage.ts' })),
    }),
  );
  const configMediaType = spec.docker ? MT.dockerConfig : MT.ociConfig;
  const manifestMediaType = spec.docker ? MT.dockerManifest : MT.ociManifest;
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: configMediaType, digest: sha256(configBytes), size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  return {
    config,
    configBytes,
    configDigest: sha256(configBytes),
    configMediaType,
    architecture,
    layers,
    manifestBytes,
    manifestDigest: sha256(manifestBytes),
    manifestMediaType,
  };
}

let busybox: Buffer | undefined;
const APPLETS = ['sh', 'sleep', 'echo', 'cat', 'id', 'ls', 'env', 'pwd', 'test', '[', 'true', 'false', 'mkdir', 'rm', 'touch', 'wc', 'head', 'tail', 'grep', 'sed', 'ps', 'kill', 'date', 'hostname', 'whoami', 'printf', 'stat', 'chmod', 'cp', 'mv', 'ln', 'nc', 'wget', 'readlink', 'uname', 'timeout', 'tee', 'stty', 'cut', 'tr'];

/**
 * A root filesystem layer: /bin/busybox (the host's busybox-static) with applet symlinks, /etc/passwd
 * and /etc/group with root and "app" (1000:1000), /home/app, /tmp (1777); `extra` entries appended.
 */
export function busyboxLayer(extra: TarInput[] = []): TarInput[] {
  busybox ??= readFileSync('/bin/busybox');
  return [
    { name: 'bin/' },
    { name: 'bin/busybox', content: busybox, mode: 0o755 },
    ...APPLETS.map((a): TarInput => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/' },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { name: 'etc/group', content: 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' },
    { name: 'home/' },
    { name: 'home/app/', uid: 1000, gid: 1000 },
    { name: 'root/', mode: 0o700 },
    { name: 'tmp/', mode: 0o1777 },
    ...extra,
  ];
}

function dir(name: string): TarInput {
  return { name, type: 'directory', mode: 0o755 };
}

function normalizedTag(tag: string): { name: string; tag: string } {
  const r = parseImageReference(tag);
  return { name: r.normalized, tag: r.tag };
}

/**
 * A `docker save` tarball. 'legacy': `<id>/layer.tar` (uncompressed; a layer already written under
 * another chain ID is a symlink to it, as docker 18-24 wrote them), `<config hex>.json`, manifest.json
 * and repositories last. 'oci': Docker 25+'s, an OCI layout (blobs/sha256, index.json with
 * io.containerd.image.name and org.opencontainers.image.ref.name, oci-layout) with manifest.json beside.
 */
export function writeDockerSave(path: string, images: { image: BuiltImage; tags: string[] }[], form: 'legacy' | 'oci'): void {
  const entries: TarInput[] = [];
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  if (form === 'legacy') {
    const written = new Map<string, string>(); // diffID -> the layer id it was written under
    const ids = new Set<string>();
    for (const { image, tags } of images) {
      let parent = '';
      const layerPaths: string[] = [];
      for (const l of image.layers) {
        const id = hex(sha256(`${parent}\n${l.diffID}`));
        if (!ids.has(id)) {
          ids.add(id);
          entries.push(dir(`${id}/`), { name: `${id}/VERSION`, content: '1.0' }, { name: `${id}/json`, content: JSON.stringify({ id, ...(parent ? { parent } : {}) }) });
          const first = written.get(l.diffID);
          if (first) entries.push({ name: `${id}/layer.tar`, type: 'symlink', linkname: `../${first}/layer.tar` });
          else {
            entries.push({ name: `${id}/layer.tar`, content: l.tar });
            written.set(l.diffID, id);
          }
        }
        layerPaths.push(`${id}/layer.tar`);
        parent = id;
      }
      entries.push({ name: `${hex(image.configDigest)}.json`, content: image.configBytes });
      manifest.push({ Config: `${hex(image.configDigest)}.json`, RepoTags: tags.length > 0 ? tags : null, Layers: layerPaths });
      for (const t of tags) {
        const colon = t.lastIndexOf(':');
        (repositories[t.slice(0, colon)] ??= {})[t.slice(colon + 1)] = parent;
      }
    }
    entries.push({ name: 'manifest.json', content: JSON.stringify(manifest) }, { name: 'repositories', content: JSON.stringify(repositories) });
    writeFileSync(path, packTar(entries));
    return;
  }
  const blobs = new Map<string, Buffer>();
  const index: object[] = [];
  for (const { image, tags } of images) {
    for (const l of image.layers) blobs.set(l.digest, l.bytes);
    blobs.set(image.configDigest, image.configBytes);
    blobs.set(image.manifestDigest, image.manifestBytes);
    const desc = { mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length };
    if (tags.length === 0) index.push(desc);
    for (const t of tags) {
      const n = normalizedTag(t);
      index.push({ ...desc, annotations: { 'io.containerd.image.name': n.name, 'org.opencontainers.image.ref.name': n.tag } });
    }
    manifest.push({ Config: `blobs/sha256/${hex(image.configDigest)}`, RepoTags: tags.length > 0 ? tags : null, Layers: image.layers.map((l) => `blobs/sha256/${hex(l.digest)}`) });
  }
  entries.push(dir('blobs/'), dir('blobs/sha256/'));
  for (const [digest, bytes] of blobs) entries.push({ name: `blobs/sha256/${hex(digest)}`, content: bytes });
  entries.push(
    { name: 'index.json', content: JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: index }) },
    { name: 'manifest.json', content: JSON.stringify(manifest) },
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'repositories', content: JSON.stringify(repositories) },
  );
  writeFileSync(path, packTar(entries));
}

/** A BuildKit provenance attestation manifest for `subject` (platform unknown/unknown). */
function attestation(subject: BuiltImage): { manifest: Buffer; blobs: Map<string, Buffer>; descriptor: object } {
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', subject: [{ name: 'test', digest: { sha256: hex(subject.manifestDigest) } }], predicate: {} }));
  const config = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(statement)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.in-toto+json', digest: sha256(statement), size: statement.length, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
    }),
  );
  return {
    manifest,
    blobs: new Map([
      [sha256(statement), statement],
      [sha256(config), config],
      [sha256(manifest), manifest],
    ]),
    descriptor: {
      mediaType: MT.ociManifest,
      digest: sha256(manifest),
      size: manifest.length,
      annotations: { 'vnd.docker.reference.digest': subject.manifestDigest, 'vnd.docker.reference.type': 'attestation-manifest' },
      platform: { architecture: 'unknown', os: 'unknown' },
    },
  };
}

/**
 * An OCI image layout at `target` (a directory, or with `tar` a tar file of one): each image a
 * manifest in index.json, `ref` as its org.opencontainers.image.ref.name (a tag, as skopeo writes, or
 * a full name). `nested`: each image is an index of [the same image for another architecture, an
 * attestation manifest, the host's image], and index.json names the index.
 */
export function writeOciLayout(target: string, images: { image: BuiltImage; ref?: string }[], opts: { tar?: boolean; nested?: boolean } = {}): void {
  const blobs = new Map<string, Buffer>();
  const manifests: object[] = [];
  const add = (image: BuiltImage) => {
    for (const l of image.layers) blobs.set(l.digest, l.bytes);
    blobs.set(image.configDigest, image.configBytes);
    blobs.set(image.manifestDigest, image.manifestBytes);
  };
  for (const { image, ref } of images) {
    const annotations = ref === undefined ? {} : { annotations: { 'org.opencontainers.image.ref.name': ref } };
    add(image);
    if (!opts.nested) {
      manifests.push({ mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length, ...annotations });
      continue;
    }
    const other = withArchitecture(image, otherArchitecture());
    add(other);
    const att = attestation(image);
    for (const [d, b] of att.blobs) blobs.set(d, b);
    const platformOf = (i: BuiltImage) => ({ mediaType: i.manifestMediaType, digest: i.manifestDigest, size: i.manifestBytes.length, platform: { architecture: i.architecture, os: 'linux', ...(i.architecture === 'arm64' ? { variant: 'v8' } : {}) } });
    const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [platformOf(other), att.descriptor, platformOf(image)] }));
    blobs.set(sha256(indexBytes), indexBytes);
    manifests.push({ mediaType: MT.ociIndex, digest: sha256(indexBytes), size: indexBytes.length, ...annotations });
  }
  const files: TarInput[] = [
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', content: JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }) },
    ...[...blobs].map(([digest, bytes]): TarInput => ({ name: `blobs/sha256/${hex(digest)}`, content: bytes })),
  ];
  if (opts.tar) {
    writeFileSync(target, packTar([dir('blobs/'), dir('blobs/sha256/'), ...files]));
    return;
  }
  for (const f of files) {
    mkdirSync(dirname(join(target, f.name)), { recursive: true });
    writeFileSync(join(target, f.name), f.content!);
  }
}

/** The same image built for another architecture (same layers, another config and manifest). */
export function withArchitecture(image: BuiltImage, architecture: string): BuiltImage {
  const config = JSON.parse(image.configBytes.toString('utf8')) as Record<string, unknown>;
  const configBytes = Buffer.from(JSON.stringify({ ...config, architecture }));
  const manifest = JSON.parse(image.manifestBytes.toString('utf8')) as { config: object };
  const manifestBytes = Buffer.from(JSON.stringify({ ...manifest, config: { mediaType: image.configMediaType, digest: sha256(configBytes), size: configBytes.length } }));
  return { ...image, architecture, configBytes, configDigest: sha256(configBytes), manifestBytes, manifestDigest: sha256(manifestBytes) };
}

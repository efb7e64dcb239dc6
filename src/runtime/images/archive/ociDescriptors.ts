import { isDigest } from '../content/blobStore.js';
import { ImageLoadError } from './loadError.js';
import { isObject } from '../isObject.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** What docker save's legacy layer.tar files are. */
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
const CONFIG_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociConfig, MEDIA_TYPES.dockerConfig];

/** Layers tinylet can unpack: tars, plain, gzip or zstd (the nondistributable and foreign variants too). */
const LAYER_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.ociLayerTar,
  MEDIA_TYPES.ociLayerGzip,
  MEDIA_TYPES.ociLayerZstd,
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  MEDIA_TYPES.dockerLayerTar,
  MEDIA_TYPES.dockerLayerGzip,
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

/** An uncompressed layer: its digest is its diff ID. */
export function isUncompressedLayer(mediaType: string): boolean {
  return mediaType.endsWith('.tar');
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ParsedIndex {
  manifests: Descriptor[];
}

export interface ParsedManifest {
  config: Descriptor;
  layers: Descriptor[];
}

function fail(where: string, message: string): never {
  throw new ImageLoadError(`${where}: ${message}`);
}


/** A descriptor's shape (the digest sha256: the only one the store keeps). */
export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) fail(where, 'must be a descriptor object (mediaType, digest, size)');
  if (typeof v.mediaType !== 'string' || v.mediaType === '') fail(`${where}.mediaType`, 'must be a non-empty string');
  if (typeof v.digest !== 'string') fail(`${where}.digest`, 'must be a string');
  if (!isDigest(v.digest)) fail(`${where}.digest`, `${JSON.stringify(v.digest)} is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) fail(`${where}.size`, `${JSON.stringify(v.size)} is not a size in bytes`);
  const d: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  if (v.platform !== undefined) {
    const p = v.platform;
    if (!isObject(p)) fail(`${where}.platform`, 'must be an object');
    if (typeof p.architecture !== 'string') fail(`${where}.platform.architecture`, 'must be a string');
    if (typeof p.os !== 'string') fail(`${where}.platform.os`, 'must be a string');
    if (p.variant !== undefined && typeof p.variant !== 'string') fail(`${where}.platform.variant`, 'must be a string');
    d.platform = { architecture: p.architecture, os: p.os, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  if (v.annotations !== undefined && v.annotations !== null) {
    const a = v.annotations;
    if (!isObject(a)) fail(`${where}.annotations`, 'must be an object of strings');
    for (const [k, val] of Object.entries(a)) if (typeof val !== 'string') fail(`${where}.annotations[${JSON.stringify(k)}]`, 'must be a string');
    d.annotations = a as Record<string, string>;
  }
  return d;
}

function schemaVersion2(v: Record<string, unknown>, where: string): void {
  if (v.schemaVersion !== 2) fail(`${where}.schemaVersion`, `${JSON.stringify(v.schemaVersion)}: only schema version 2 is supported`);
}

/** The manifest's own mediaType, when it has one, must be the one its descriptor promised. */
function ownMediaType(v: Record<string, unknown>, where: string, expected: string | undefined, allowed: readonly string[]): void {
  if (v.mediaType === undefined) {
    // OCI manifests and indexes may leave it out; Docker's always have it.
    if (expected !== undefined && !expected.startsWith('application/vnd.oci.')) fail(`${where}.mediaType`, `missing (the descriptor says ${expected})`);
    return;
  }
  if (typeof v.mediaType !== 'string' || !allowed.includes(v.mediaType)) fail(`${where}.mediaType`, `${JSON.stringify(v.mediaType)} is not one of ${allowed.join(', ')}`);
  if (expected !== undefined && v.mediaType !== expected) fail(`${where}.mediaType`, `${JSON.stringify(v.mediaType)}, but the descriptor pointing here says ${JSON.stringify(expected)}`);
}

/** An OCI image index or a Docker manifest list (index.json is one). */
export function parseIndex(v: unknown, where: string, expectedMediaType?: string): ParsedIndex {
  if (!isObject(v)) fail(where, 'must be a JSON object (an image index)');
  schemaVersion2(v, where);
  ownMediaType(v, where, expectedMediaType, INDEX_MEDIA_TYPES);
  if (!Array.isArray(v.manifests)) fail(`${where}.manifests`, 'must be a list of descriptors');
  return { manifests: v.manifests.map((m, i) => parseDescriptor(m, `${where}.manifests[${i}]`)) };
}

/** An OCI image manifest or a Docker v2 schema 2 manifest, with a config and layers tinylet can use. */
export function parseManifest(v: unknown, where: string, expectedMediaType?: string): ParsedManifest {
  if (!isObject(v)) fail(where, 'must be a JSON object (an image manifest)');
  schemaVersion2(v, where);
  ownMediaType(v, where, expectedMediaType, MANIFEST_MEDIA_TYPES);
  const config = parseDescriptor(v.config, `${where}.config`);
  if (!CONFIG_MEDIA_TYPES.includes(config.mediaType)) fail(`${where}.config.mediaType`, `${JSON.stringify(config.mediaType)} is not an image config (${CONFIG_MEDIA_TYPES.join(', ')}): not a container image`);
  if (!Array.isArray(v.layers)) fail(`${where}.layers`, 'must be a list of descriptors');
  const layers = v.layers.map((l, i) => {
    const d = parseDescriptor(l, `${where}.layers[${i}]`);
    if (!LAYER_MEDIA_TYPES.includes(d.mediaType)) fail(`${where}.layers[${i}].mediaType`, `${JSON.stringify(d.mediaType)} is not a layer tinylet can unpack (a tar, plain, gzip or zstd)`);
    return d;
  });
  return { config, layers };
}

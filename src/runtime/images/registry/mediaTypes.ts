// The media types a registry pull meets, and which of them tinylet takes. A registry chooses what to
// send from the Accept header and says what it sent in Content-Type; the manifest's own `mediaType`
// settles it when the Content-Type is generic.

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Layers whose bytes live elsewhere (Windows base layers, the `urls` of a descriptor): never served by the registry. */
export const FOREIGN_LAYER_TYPES: readonly string[] = [
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
];

const SCHEMA1_TYPES = ['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws'];

export const INDEX_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
export const IMAGE_MANIFEST_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];
export const CONFIG_TYPES: readonly string[] = [OCI_CONFIG, DOCKER_CONFIG];
export const LAYER_TYPES: readonly string[] = [OCI_LAYER_TAR, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, DOCKER_LAYER_TAR, DOCKER_LAYER_GZIP];

/** What a manifest request accepts: the four schema 2 / OCI types, never schema 1. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

/** The refusal of a media type tinylet cannot pull or run; the message says why. */
export class UnsupportedMediaTypeError extends Error {}

/**
 * The media type of the manifest bytes the registry sent: the Content-Type when it is one of the four,
 * else the body's `mediaType` (OCI lets it out: then `manifests` means an index, `config` a manifest).
 */
export function manifestMediaType(contentType: string | undefined, bytes: Buffer, what: string): string {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let body: { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown; config?: unknown } | undefined;
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) body = v as typeof body;
  } catch {
    body = undefined;
  }
  if (SCHEMA1_TYPES.includes(ct) || body?.schemaVersion === 1) {
    throw new UnsupportedMediaTypeError(`${what}: schema 1 manifests are not supported (push the image again with a current Docker, BuildKit or skopeo)`);
  }
  if (!body) throw new UnsupportedMediaTypeError(`${what}: the registry answered with something that is not a JSON manifest (Content-Type ${JSON.stringify(ct)})`);
  if (INDEX_TYPES.includes(ct) || IMAGE_MANIFEST_TYPES.includes(ct)) return ct;
  if (typeof body.mediaType === 'string') {
    if (INDEX_TYPES.includes(body.mediaType) || IMAGE_MANIFEST_TYPES.includes(body.mediaType)) return body.mediaType;
    throw new UnsupportedMediaTypeError(`${what}: media type ${JSON.stringify(body.mediaType)} is not an image manifest or index`);
  }
  if (Array.isArray(body.manifests)) return OCI_INDEX;
  if (body.config !== undefined) return OCI_MANIFEST;
  throw new UnsupportedMediaTypeError(`${what}: Content-Type ${JSON.stringify(ct)} is not an image manifest or index`);
}

export function isIndex(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

/** A layer the registry serves and the unpacker reads; foreign ones and unknown kinds are refused. */
export function checkLayerMediaType(mediaType: string, what: string): void {
  if (FOREIGN_LAYER_TYPES.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(`${what}: ${mediaType} is a non-distributable (foreign) layer, not served by registries: such images (Windows base layers) cannot run here`);
  }
  if (!LAYER_TYPES.includes(mediaType)) throw new UnsupportedMediaTypeError(`${what}: ${JSON.stringify(mediaType)} is not a container image layer (a tar, plain, gzip or zstd)`);
}

export function checkConfigMediaType(mediaType: string, what: string): void {
  if (!CONFIG_TYPES.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(`${what}: config media type ${JSON.stringify(mediaType)} is not an image config: this is an artifact (a Helm chart, a signature...), not a container image`);
  }
}

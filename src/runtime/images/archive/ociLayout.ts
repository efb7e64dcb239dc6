import type { StoredImage } from '../imageStore.js';
import { ImageConfigError, parseOciConfig } from '../ociConfig.js';
import type { ArchiveContents } from './archiveContents.js';
import { indexEntryName } from './imageNames.js';
import { ImageLoadError } from './loadError.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, isUncompressedLayer, parseIndex, parseManifest, type Descriptor } from './ociDescriptors.js';
import { choosePlatformIndex, hostPlatform, isAttestation, platformString } from './platformChoice.js';

export type LoadedImage = Omit<StoredImage, 'createdAt'>;

/** How deep index -> index -> manifest may go: one level of nesting is what tools write. */
const MAX_DEPTH = 4;

/**
 * The images of an OCI image layout (a `skopeo copy ... oci:` directory or its tar, and Docker 25+'s
 * `docker save`): one per index.json entry, its name from the entry's annotations; an entry that is an
 * index itself (a multi-platform image) is resolved to the host's platform.
 */
export function imagesFromOciLayout(contents: ArchiveContents, name: string | undefined): LoadedImage[] {
  const layout = contents.json('oci-layout', 'oci-layout');
  if (typeof layout !== 'object' || layout === null || typeof (layout as { imageLayoutVersion?: unknown }).imageLayoutVersion !== 'string') {
    throw new ImageLoadError('oci-layout.imageLayoutVersion: must be a string ("1.0.0")');
  }
  const index = parseIndex(contents.json('index.json', 'index.json'), 'index.json');
  if (index.manifests.length === 0) throw new ImageLoadError('index.json.manifests: empty, the archive holds no image');
  const images: LoadedImage[] = [];
  index.manifests.forEach((entry, i) => {
    const where = `index.json.manifests[${i}]`;
    if (isAttestation(entry)) return;
    const image = resolveImage(contents, entry, where, 0);
    const named = indexEntryName(entry.annotations, where, name, image.manifestDigest);
    images.push({ ...image, ...(named ?? { reference: image.configDigest, repository: '' }) });
  });
  if (images.length === 0) throw new ImageLoadError('index.json.manifests: only attestations, the archive holds no image');
  return images;
}

type ResolvedImage = Omit<LoadedImage, 'reference' | 'repository'> & { manifestDigest: string };

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** The descriptor's blob is in the archive, with the size the descriptor says. */
function checkBlob(contents: ArchiveContents, d: Descriptor, where: string): string {
  const path = blobPath(d.digest);
  const f = contents.blob(d.digest);
  if (!f) throw new ImageLoadError(`${where}.digest: ${path} is not in the archive`);
  if (f.digest !== d.digest) throw new ImageLoadError(`${where}.digest: ${path} links to content whose digest is ${f.digest}`);
  if (f.size !== d.size) throw new ImageLoadError(`${where}.size: ${d.size}, but ${path} has ${f.size} bytes`);
  return path;
}

function resolveImage(contents: ArchiveContents, d: Descriptor, where: string, depth: number): ResolvedImage {
  if (INDEX_MEDIA_TYPES.includes(d.mediaType)) {
    if (depth >= MAX_DEPTH) throw new ImageLoadError(`${where}: image indexes nested more than ${MAX_DEPTH} deep`);
    const path = checkBlob(contents, d, where);
    const index = parseIndex(contents.json(path, `the index of ${where}`), path, d.mediaType);
    const chosen = choosePlatformIndex(index.manifests);
    if (chosen < 0) {
      const offered = index.manifests.filter((m) => !isAttestation(m)).map((m) => (m.platform ? platformString(m.platform) : 'no platform'));
      throw new ImageLoadError(`${path}.manifests: no manifest for this host's platform ${platformString(hostPlatform())} (the index has: ${offered.join(', ') || 'nothing but attestations'})`);
    }
    return resolveImage(contents, index.manifests[chosen]!, `${path}.manifests[${chosen}]`, depth + 1);
  }
  if (!MANIFEST_MEDIA_TYPES.includes(d.mediaType)) {
    throw new ImageLoadError(`${where}.mediaType: ${JSON.stringify(d.mediaType)} is neither an image manifest nor an image index (${[...MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES].join(', ')})`);
  }
  const path = checkBlob(contents, d, where);
  const manifest = parseManifest(contents.json(path, `the manifest of ${where}`), path, d.mediaType);
  const configPath = checkBlob(contents, manifest.config, `${path}.config`);
  let diffIDs: string[];
  try {
    diffIDs = parseOciConfig(contents.bytes(configPath, `${path}.config`), configPath).diffIDs;
  } catch (err) {
    if (err instanceof ImageConfigError) throw new ImageLoadError(err.message);
    throw err;
  }
  if (diffIDs.length !== manifest.layers.length) {
    throw new ImageLoadError(`${configPath}.rootfs.diff_ids: ${diffIDs.length} diff IDs, but its manifest ${path} has ${manifest.layers.length} layers`);
  }
  manifest.layers.forEach((l, i) => {
    const layerPath = checkBlob(contents, l, `${path}.layers[${i}]`);
    if (isUncompressedLayer(l.mediaType) && l.digest !== diffIDs[i]) {
      throw new ImageLoadError(`${path}.layers[${i}]: ${layerPath} is an uncompressed layer, so its digest must be its diff ID ${configPath}.rootfs.diff_ids[${i}] = ${diffIDs[i]}`);
    }
  });
  const layers = manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
  return {
    manifestDigest: d.digest,
    configDigest: manifest.config.digest,
    layers,
    source: 'loaded',
    size: manifest.config.size + layers.reduce((n, l) => n + l.size, 0),
  };
}

import { INGEST_LEASE, type ImageStore, type StoredImage } from './imageStore.js';
import type { RegistryConfig } from './registry/registryConfig.js';
import { pullImage, type PullProgress } from './registry/pullImage.js';
import type { DockerCredentials } from './registry/credentials.js';

/**
 * A pull from the registry into the store: the blobs (verified), the layers applied into the image's
 * root, then the reference tagged. Unpacked before it is tagged, so an image whose layer does not
 * match its diff ID never appears; a lease keeps a concurrent prune off the untagged blobs.
 */
export async function pullIntoStore(
  store: ImageStore,
  normalized: string,
  registry: RegistryConfig,
  onProgress?: (p: PullProgress) => void,
  /** Tried before the credentials file: a pod's imagePullSecrets. */
  extraCredentials?: DockerCredentials[],
): Promise<StoredImage> {
  const release = store.lease(`${INGEST_LEASE}${normalized}`);
  try {
    const pulled = await pullImage(normalized, store.blobs, { config: registry, ...(onProgress ? { onProgress } : {}), ...(extraCredentials?.length ? { extraCredentials } : {}) });
    const image: Omit<StoredImage, 'createdAt'> = {
      reference: normalized,
      repository: pulled.repository,
      manifestDigest: pulled.manifestDigest,
      ...(pulled.platformManifestDigest ? { platformManifestDigest: pulled.platformManifestDigest } : {}),
      configDigest: pulled.configDigest,
      layers: pulled.layers,
      source: 'pulled',
      size: pulled.size,
    };
    await store.ensureRoot(image);
    return store.tag(image);
  } finally {
    release();
  }
}

import { loadImages } from '../../runtime/images/archive/loadArchive.js';
import { INGEST_LEASE } from '../../runtime/images/imageStore.js';
import { imageStoreOf } from './imageStoreOf.js';

/** `tinylet image load FILE|-`: docker save tarballs and OCI layouts (directory or tar), as `docker load` prints. */
export async function imageLoadCommand(source: string, opts: { config?: string; name?: string }): Promise<number> {
  const { store } = imageStoreOf(opts);
  const release = store.lease(`${INGEST_LEASE}load`);
  try {
    const images = await loadImages(source, store, {
      ...(opts.name ? { name: opts.name } : {}),
      ...(source === '-' ? { stdin: process.stdin } : {}),
      // Only progress: what was loaded is printed once each image is unpacked, below.
      onProgress: (msg) => {
        if (!msg.startsWith('Loaded')) process.stderr.write(`${msg}\n`);
      },
    });
    for (const image of images) {
      // Unpacked now, so the first pod does not wait for it (and a broken layer shows here).
      await store.ensureRoot(image);
      console.log(image.reference.startsWith('sha256:') ? `Loaded image ID: ${image.reference}` : `Loaded image: ${image.reference}`);
    }
    return 0;
  } finally {
    release();
  }
}

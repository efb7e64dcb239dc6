import type { ImageStore, StoredImage } from '../imageStore.js';
import { ArchiveContents } from './archiveContents.js';
import { forEachArchiveEntry } from './archiveInput.js';
import { imagesFromDockerSave } from './dockerSave.js';
import { repositoryName } from './imageNames.js';
import { ImageLoadError } from './loadError.js';
import { imagesFromOciLayout, type LoadedImage } from './ociLayout.js';

export { ImageLoadError } from './loadError.js';

export interface LoadOptions {
  /** The repository of an OCI layout's images that carry only a tag (`--name`). */
  name?: string;
  /** What '-' reads; process.stdin by default. */
  stdin?: AsyncIterable<Uint8Array>;
  onProgress?: (msg: string) => void;
}

/**
 * `tinylet image load`: the images of a `docker save` tarball (the legacy form, or Docker 25+'s OCI
 * layout with manifest.json beside), of an OCI image layout (a directory or a tar of one), gzipped or
 * not, from a file or stdin ('-'). The bytes are read once, every file streaming into the blob store
 * as it is hashed; the images are checked whole before any is tagged, so an archive that fails leaves
 * no image behind (only blobs, which are content-addressed and harmless).
 */
export async function loadImages(source: string, store: ImageStore, opts: LoadOptions = {}): Promise<StoredImage[]> {
  const name = opts.name === undefined ? undefined : repositoryName(opts.name);
  const contents = new ArchiveContents(store.blobs, opts.onProgress);
  await forEachArchiveEntry(source, opts.stdin, (entry) => contents.add(entry));
  let images: LoadedImage[];
  if (contents.has('index.json') && contents.has('oci-layout')) images = imagesFromOciLayout(contents, name);
  else if (contents.has('manifest.json')) images = await imagesFromDockerSave(contents);
  else if (contents.has('index.json')) throw new ImageLoadError('index.json: there is no oci-layout file beside it, so this is not an OCI image layout');
  else throw new ImageLoadError(`${source === '-' ? 'stdin' : source}: not an image archive: it has neither manifest.json (docker save) nor index.json (an OCI layout)`);
  // The same name twice in one archive: the last one wins, as it would tagging one after the other.
  const byReference = new Map<string, LoadedImage>();
  for (const image of images) {
    byReference.delete(image.reference);
    byReference.set(image.reference, image);
  }
  const loaded: StoredImage[] = [];
  for (const image of byReference.values()) {
    loaded.push(store.tag({ ...image, source: 'loaded' }));
    opts.onProgress?.(image.repository ? `Loaded image: ${image.reference}` : `Loaded image ID: ${image.reference}`);
  }
  return loaded;
}

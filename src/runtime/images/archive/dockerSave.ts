import { ImageConfigError, parseOciConfig } from '../ociConfig.js';
import type { ArchiveContents, ArchiveFile } from './archiveContents.js';
import { cleanArchivePath } from './archivePath.js';
import { repoTagName, type ImageName } from './imageNames.js';
import { ImageLoadError } from './loadError.js';
import { MEDIA_TYPES } from './ociDescriptors.js';
import type { LoadedImage } from './ociLayout.js';
import { isObject } from '../isObject.js';


/** A member path named by manifest.json, checked to be in the archive. */
function member(contents: ArchiveContents, v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new ImageLoadError(`${where}: must be a path in the archive`);
  let path: string;
  try {
    path = cleanArchivePath(v);
  } catch (err) {
    throw new ImageLoadError(`${where}: ${(err as Error).message.replace(/^image load: /, '')}`);
  }
  if (!contents.has(path)) throw new ImageLoadError(`${where}: ${JSON.stringify(v)} is not in the archive`);
  return path;
}

/** A legacy layer.tar is whatever docker had: a plain tar as a rule, a compressed one from some tools. */
function layerMediaType(f: ArchiveFile, where: string): string {
  const h = f.head;
  if (h[0] === 0x1f && h[1] === 0x8b) return MEDIA_TYPES.dockerLayerGzip;
  if (h[0] === 0x28 && h[1] === 0xb5 && h[2] === 0x2f && h[3] === 0xfd) return MEDIA_TYPES.ociLayerZstd;
  if ((h[0] === 0xfd && h[1] === 0x37 && h[2] === 0x7a) || (h[0] === 0x42 && h[1] === 0x5a && h[2] === 0x68)) {
    throw new ImageLoadError(`${where}: the layer is xz- or bzip2-compressed, which tinylet cannot unpack`);
  }
  return MEDIA_TYPES.dockerLayerTar;
}

/**
 * The images of a `docker save` archive as manifest.json lists them: `Config` (`<id>.json` or
 * `blobs/sha256/<hex>`), `RepoTags` (none: the image is stored under its config digest) and `Layers`
 * (`<id>/layer.tar`, their digest computed as they streamed in; for a plain tar it is the diff ID the
 * config lists, which is checked).
 */
export async function imagesFromDockerSave(contents: ArchiveContents): Promise<LoadedImage[]> {
  const list = contents.json('manifest.json', 'manifest.json');
  if (!Array.isArray(list)) throw new ImageLoadError('manifest.json: must be a list of images ([{"Config": ..., "RepoTags": [...], "Layers": [...]}])');
  if (list.length === 0) throw new ImageLoadError('manifest.json: empty list, the archive holds no image');
  const checked = list.map((entry, i) => {
    const where = `manifest.json[${i}]`;
    if (!isObject(entry)) throw new ImageLoadError(`${where}: must be an object with Config, RepoTags and Layers`);
    const configPath = member(contents, entry.Config, `${where}.Config`);
    let diffIDs: string[];
    try {
      diffIDs = parseOciConfig(contents.bytes(configPath, `${where}.Config`), configPath).diffIDs;
    } catch (err) {
      if (err instanceof ImageConfigError) throw new ImageLoadError(err.message);
      throw err;
    }
    const tags = entry.RepoTags ?? [];
    if (!Array.isArray(tags)) throw new ImageLoadError(`${where}.RepoTags: must be a list of image names, or null`);
    const names: ImageName[] = tags.map((t, j) => {
      if (typeof t !== 'string') throw new ImageLoadError(`${where}.RepoTags[${j}]: must be a string`);
      return repoTagName(t, `${where}.RepoTags[${j}]`);
    });
    const layerNames: unknown = entry.Layers;
    if (!Array.isArray(layerNames)) throw new ImageLoadError(`${where}.Layers: must be a list of paths in the archive`);
    const layerPaths = layerNames.map((l, j) => member(contents, l, `${where}.Layers[${j}]`));
    if (diffIDs.length !== layerPaths.length) {
      throw new ImageLoadError(`${where}.Layers: ${layerPaths.length} layers, but the config ${configPath} lists ${diffIDs.length} in rootfs.diff_ids`);
    }
    const layers = layerPaths.map((p, j) => {
      const f = contents.file(p)!;
      const mediaType = layerMediaType(f, `${where}.Layers[${j}]`);
      if (mediaType === MEDIA_TYPES.dockerLayerTar && f.digest !== diffIDs[j]) {
        throw new ImageLoadError(`${where}.Layers[${j}]: ${JSON.stringify(layerNames[j])} has digest ${f.digest}, but the config's rootfs.diff_ids[${j}] is ${diffIDs[j]}`);
      }
      return { digest: f.digest, mediaType, size: f.size };
    });
    return { configPath, names, layers };
  });
  // Everything is checked: the configs kept in memory become blobs, then the records are made.
  const images: LoadedImage[] = [];
  for (const { configPath, names, layers } of checked) {
    const config = await contents.store(configPath);
    const image = { configDigest: config.digest, layers, source: 'loaded' as const, size: config.size + layers.reduce((n, l) => n + l.size, 0) };
    for (const n of names.length > 0 ? names : [{ reference: config.digest, repository: '' }]) images.push({ ...image, ...n });
  }
  return images;
}

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RootFs } from './launch.js';
import type { Hiding } from './hostRoot.js';
import type { ImageConfig } from './images/imageConfig.js';

/**
 * A fresh writable layer for one container start: the image's files are written into the upper dir,
 * so a restarted container starts clean, as from its image.
 */
export function prepareRootFs(dir: string, image: ImageConfig, hide: Hiding): RootFs {
  rmSync(dir, { recursive: true, force: true });
  const rootfs: RootFs = { mountPoint: join(dir, 'merged'), upper: join(dir, 'upper'), work: join(dir, 'work'), lower: image.rootDir ?? '/', hide };
  for (const d of [rootfs.mountPoint, rootfs.upper, rootfs.work]) mkdirSync(d, { recursive: true });
  for (const [path, content] of Object.entries(image.files ?? {})) {
    const target = join(rootfs.upper, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return rootfs;
}

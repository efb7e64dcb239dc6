import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { builtinImages } from './builtins.js';
import { invalidImageNameMessage } from './distributionReference.js';
import { ImagePullError, InvalidImageNameError, type ImageConfig, type ResolvedImage } from './imageConfig.js';
import { isPauseImage, pauseImageConfig } from './pauseImage.js';
import { parseImageReference } from './reference.js';

/**
 * Maps image references to image configs: entries from the agent config first (by full reference,
 * then by name), then the built-ins by name, then the Kubernetes pause image under its registries'
 * names (pauseImage.ts). Tags do not matter for host-backed images.
 */
export class ImageCatalog {
  private readonly entries: Record<string, ImageConfig>;

  constructor(configured: Record<string, Partial<ImageConfig>> = {}) {
    this.entries = { ...builtinImages() };
    for (const [ref, cfg] of Object.entries(configured)) {
      this.entries[ref] = { entrypoint: [], cmd: [], env: {}, ...cfg };
    }
  }

  resolve(image: string): ResolvedImage {
    // The kubelet parses the reference before it looks for the image anywhere.
    const invalid = invalidImageNameMessage(image);
    if (invalid !== undefined) throw new InvalidImageNameError(invalid);
    const ref = parseImageReference(image);
    const config =
      this.entries[image] ?? this.entries[`${ref.name}:${ref.tag}`] ?? this.entries[ref.name] ?? this.entries[ref.repository] ?? (isPauseImage(ref) ? pauseImageConfig(ref.tag) : undefined);
    if (!config) {
      throw new ImagePullError(
        `Failed to pull image "${image}": image "${ref.name}" is not in tinylet's image catalog (built-in: ${[...Object.keys(builtinImages()), 'registry.k8s.io/pause'].join(', ')}); ` +
          `add it under "images:" in the agent config file (--config), e.g. images: {"${ref.name}": {entrypoint: [...], cmd: [...]}}`,
      );
    }
    for (const req of config.requires ?? []) {
      if (!existsSync(req.path)) throw new ImagePullError(`Failed to pull image "${image}": ${req.path} is missing on this host (${req.hint})`);
    }
    if (config.rootDir && !existsSync(config.rootDir)) {
      throw new ImagePullError(`Failed to pull image "${image}": root directory ${config.rootDir} does not exist`);
    }
    const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    return { reference: ref.normalized, name: ref.name, imageID: `${ref.normalized.replace(/[:@].*$/, '')}@sha256:${digest}`, config };
  }
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { builtinImages } from './builtins.js';
import { ImagePullError, type ImageConfig, type ResolvedImage } from './imageConfig.js';
import { parseImageReference } from './reference.js';

/**
 * Maps image references to image configs: entries from the agent config first (by full reference,
 * then by name), then the built-ins by name. Tags do not matter for host-backed images.
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
    const ref = parseImageReference(image);
    const config = this.entries[image] ?? this.entries[`${ref.name}:${ref.tag}`] ?? this.entries[ref.name] ?? this.entries[ref.repository];
    if (!config) {
      throw new ImagePullError(
        `Failed to pull image "${image}": image "${ref.name}" is not in tinylet's image catalog (built-in: ${Object.keys(builtinImages()).join(', ')}); ` +
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

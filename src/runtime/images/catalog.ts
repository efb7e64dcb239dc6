import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { builtinImages } from './builtins.js';
import { ImagePullError, type ImageConfig, type ResolvedImage } from './imageConfig.js';
import { isPauseImage, pauseImageConfig } from './pauseImage.js';
import { parseImageReference } from './reference.js';

/** The Image ID of a host-backed image starts with this. */
const HOST_IMAGE_ID_SCHEME = 'tinylet-host://';

/**
 * Host-backed images: image references mapped to image configs whose programs are the host's.
 * Entries from the agent config first (by full reference, then by name), then the built-ins by name,
 * then the Kubernetes pause image under its registries' names (pauseImage.ts). Tags do not matter.
 */
export class ImageCatalog {
  private readonly configured: Record<string, ImageConfig> = {};
  private readonly builtins = builtinImages();

  constructor(configured: Record<string, Partial<ImageConfig>> = {}) {
    for (const [ref, cfg] of Object.entries(configured)) {
      this.configured[ref] = { entrypoint: [], cmd: [], env: {}, ...cfg };
    }
  }

  /**
   * The host-backed image for a reference, or undefined when the catalog has none: entries of the
   * agent config always, the built-ins (busybox, nginx, node, python) when `builtins` is on, the pause
   * image always (it is tinylet's own binary). The reference must already be valid.
   */
  find(image: string, builtins = true): ResolvedImage | undefined {
    const ref = parseImageReference(image);
    const config =
      this.configured[image] ??
      this.configured[`${ref.name}:${ref.tag}`] ??
      this.configured[ref.name] ??
      this.configured[ref.repository] ??
      (builtins ? (this.builtins[ref.name] ?? this.builtins[ref.repository]) : undefined) ??
      (isPauseImage(ref) ? pauseImageConfig(ref.tag) : undefined);
    if (!config) return undefined;
    for (const req of config.requires ?? []) {
      if (!existsSync(req.path)) throw new ImagePullError(`Failed to pull image "${image}": ${req.path} is missing on this host (${req.hint})`);
    }
    if (config.rootDir && !existsSync(config.rootDir)) {
      throw new ImagePullError(`Failed to pull image "${image}": root directory ${config.rootDir} does not exist`);
    }
    const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    // The scheme says where the image came from (as dockershim's docker-pullable:// did): `kubectl
    // describe` shows it as the Image ID.
    return { reference: ref.normalized, imageID: `${HOST_IMAGE_ID_SCHEME}${ref.normalized.replace(/[:@].*$/, '')}@sha256:${digest}`, config, source: 'host' };
  }

  /** Names the catalog answers, for messages. */
  names(builtins = true): string[] {
    return [...Object.keys(this.configured), ...(builtins ? Object.keys(this.builtins) : []), 'registry.k8s.io/pause'];
  }
}

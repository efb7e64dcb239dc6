import type { ImageCatalog } from '../../runtime/images/catalog.js';
import { invalidImageNameMessage } from '../../runtime/images/distributionReference.js';
import { ImagePullError, InvalidImageNameError, type ResolvedImage } from '../../runtime/images/imageConfig.js';
import type { ImageStore, StoredImage } from '../../runtime/images/imageStore.js';
import { pullIntoStore } from '../../runtime/images/pullIntoStore.js';
import { parseImageReference } from '../../runtime/images/reference.js';
import type { RegistryConfig } from '../../runtime/images/registry/registryConfig.js';
import type { EventType } from '../events.js';
import { formatGoDuration } from '../duration.js';
import { ImageNeverPullError } from './imageErrors.js';
import { shouldPull } from './pullPolicy.js';
import { PullQueue } from './pullQueue.js';
import { pullErrorText } from './pullErrorText.js';
import { progressReporter } from './pullProgress.js';

export type ImageEventSink = (type: EventType, reason: string, message: string) => void;

export interface ImageManagerOptions {
  catalog: ImageCatalog;
  store: ImageStore;
  registry: RegistryConfig;
  /** Whether the built-in names (busybox, nginx, node, python) are host-backed when not in the store. */
  builtinImages: boolean;
  serializeImagePulls: boolean;
}

/**
 * The kubelet's image manager (pkg/kubelet/images): EnsureImageExists with the pull policy, its
 * events and errors, over three sources. A pulled or loaded image of the reference wins; else a
 * host-backed image of the catalog; else a pull from the registry.
 */
export class ImageManager {
  private readonly queue: PullQueue;

  constructor(private readonly opts: ImageManagerOptions) {
    this.queue = new PullQueue(opts.serializeImagePulls);
  }

  get store(): ImageStore {
    return this.opts.store;
  }

  async ensureImageExists(image: string, policy: string | undefined, report: ImageEventSink): Promise<ResolvedImage> {
    const invalid = invalidImageNameMessage(image);
    if (invalid !== undefined) throw new InvalidImageNameError(invalid);
    const ref = parseImageReference(image);
    const stored = this.opts.store.get(ref.normalized);
    if (stored === undefined) {
      const host = this.opts.catalog.find(image, this.opts.builtinImages);
      if (host) {
        report('Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return host;
      }
    }
    if (!shouldPull(policy, stored !== undefined)) {
      if (stored === undefined) {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        report('Warning', 'ErrImageNeverPull', message);
        throw new ImageNeverPullError(message);
      }
      report('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return this.resolved(stored);
    }
    return this.pull(image, ref.normalized, report);
  }

  private async pull(image: string, normalized: string, report: ImageEventSink): Promise<ResolvedImage> {
    report('Normal', 'Pulling', `Pulling image "${image}"`);
    const queuedAt = performance.now();
    let pulledIn = 0;
    let stored: StoredImage;
    try {
      stored = await this.queue.run(async () => {
        const startedAt = performance.now();
        const onProgress = progressReporter(image, (message) => report('Normal', 'PullProgress', message));
        const record = await pullIntoStore(this.opts.store, normalized, this.opts.registry, onProgress);
        pulledIn = performance.now() - startedAt;
        return record;
      });
    } catch (err) {
      throw new ImagePullError(`Failed to pull image "${image}": ${pullErrorText(normalized, err)}`);
    }
    const waited = performance.now() - queuedAt;
    report(
      'Normal',
      'Pulled',
      `Successfully pulled image "${image}" in ${formatGoDuration(Math.trunc(pulledIn))} (${formatGoDuration(Math.trunc(waited))} including waiting). Image size: ${stored.size} bytes.`,
    );
    return this.resolved(stored);
  }

  /** The store's image as the runtime starts it: its config, on its own root. */
  private async resolved(stored: StoredImage): Promise<ResolvedImage> {
    const cfg = this.opts.store.config(stored);
    const rootDir = await this.opts.store.ensureRoot(stored);
    return {
      reference: stored.reference,
      imageID: imageIDOf(stored),
      config: { ...cfg.config, rootDir },
      source: stored.source,
      exposedPorts: cfg.exposedPorts,
    };
  }
}

/**
 * containerStatuses[].imageID as containerd's CRI gives it: the repo digest of a pulled image
 * (docker.io/library/nginx@sha256:...), the image ID (its config digest) of a loaded one.
 */
function imageIDOf(stored: StoredImage): string {
  return stored.source === 'pulled' && stored.manifestDigest ? `${stored.repository}@${stored.manifestDigest}` : stored.configDigest;
}

import type { ImageCatalog } from '../../runtime/images/catalog.js';
import { invalidImageNameMessage } from '../../runtime/images/distributionReference.js';
import { ImagePullError, InvalidImageNameError, type ResolvedImage } from '../../runtime/images/imageConfig.js';
import type { ImageStore, StoredImage } from '../../runtime/images/imageStore.js';
import { pullIntoStore } from '../../runtime/images/pullIntoStore.js';
import { parseImageReference } from '../../runtime/images/reference.js';
import type { RegistryConfig } from '../../runtime/images/registry/registryConfig.js';
import type { Secret } from '../../api/types.js';
import type { EventType } from '../events.js';
import { formatGoDuration } from '../duration.js';
import { ImageNeverPullError } from './imageErrors.js';
import { shouldPull } from './pullPolicy.js';
import { PullQueue } from './pullQueue.js';
import { pullErrorText } from './pullErrorText.js';
import { progressReporter } from './pullProgress.js';
import { aggregateErrors, credentialAttempts } from './pullAttempts.js';
import { pullSecretCredentials } from './pullSecrets.js';

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

  /**
   * `pullSecrets` are the pod's (podPullSecrets): their credentials are tried before the node's, and
   * only when a pull is made. As in Kubernetes, an image already present is used, with IfNotPresent
   * or Never, by any pod, whether or not it could have pulled it: the secrets guard the registry,
   * not the node's store (KEP-2535, KubeletEnsureSecretPulledImages, is not implemented).
   */
  async ensureImageExists(image: string, policy: string | undefined, report: ImageEventSink, pullSecrets: readonly Secret[] = []): Promise<ResolvedImage> {
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
    return this.pull(image, ref.normalized, ref.registry, report, pullSecrets);
  }

  private async pull(image: string, normalized: string, registry: string, report: ImageEventSink, pullSecrets: readonly Secret[]): Promise<ResolvedImage> {
    report('Normal', 'Pulling', `Pulling image "${image}"`);
    const queuedAt = performance.now();
    let pulledIn = 0;
    let stored: StoredImage;
    try {
      stored = await this.queue.run(async () => {
        const startedAt = performance.now();
        const onProgress = progressReporter(image, (message) => report('Normal', 'PullProgress', message));
        const record = await this.pullWithCredentials(normalized, registry, pullSecrets, onProgress);
        pulledIn = performance.now() - startedAt;
        return record;
      });
    } catch (err) {
      throw new ImagePullError(`Failed to pull image "${image}": ${err instanceof PullAttemptsError ? err.message : pullErrorText(normalized, err)}`);
    }
    const waited = performance.now() - queuedAt;
    report(
      'Normal',
      'Pulled',
      `Successfully pulled image "${image}" in ${formatGoDuration(Math.trunc(pulledIn))} (${formatGoDuration(Math.trunc(waited))} including waiting). Image size: ${stored.size} bytes.`,
    );
    return this.resolved(stored);
  }

  /** One pull per set of credentials (pullAttempts.ts), in one turn of the queue, as the kubelet's PullImage. */
  private async pullWithCredentials(normalized: string, registry: string, pullSecrets: readonly Secret[], onProgress: Parameters<typeof pullIntoStore>[3]): Promise<StoredImage> {
    let podCredentials;
    try {
      podCredentials = pullSecretCredentials(pullSecrets);
    } catch (err) {
      // A malformed secret fails the pull before any registry is asked, as MakeDockerKeyring's error does.
      throw new PullAttemptsError((err as Error).message);
    }
    const attempts = credentialAttempts(registry, podCredentials, this.opts.registry.credentialsFile);
    const errors: string[] = [];
    for (const extra of attempts) {
      try {
        return await pullIntoStore(this.opts.store, normalized, this.opts.registry, onProgress, extra);
      } catch (err) {
        errors.push(pullErrorText(normalized, err));
      }
    }
    throw new PullAttemptsError(aggregateErrors(errors));
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

/** Every attempt failed: the message is their errors, already in the kubelet's words. */
class PullAttemptsError extends Error {}

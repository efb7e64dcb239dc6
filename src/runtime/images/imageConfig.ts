/** What tinylet knows of an image: the parts of an OCI image config that decide how a process starts. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir?: string;
  stopSignal?: string;
  /** The image's USER (name|uid[:group|gid]); root when unset. */
  user?: string;
  /** Host paths a host-backed image needs that its root hides (shown read-only at the same path). */
  hostPaths?: string[];
  /** Root directory of the image's filesystem; the host's `/` for host-backed images. */
  rootDir?: string;
  /** Files laid into each container's writable layer at start (an image's own config files). */
  files?: Record<string, string>;
  /** Host executables the image needs; a missing one makes the pull fail with a hint. */
  requires?: { path: string; hint: string }[];
  /** Mount a directory of busybox applet links at BUSYBOX_APPLET_DIR (first on the image's PATH). */
  busyboxApplets?: boolean;
  /** FROM scratch: the container's root starts empty instead of being the host's. */
  scratch?: boolean;
  /** Host files shown read-only at another path in the container (the pause binary at /pause). */
  hostFiles?: { src: string; dst: string }[];
}

export interface ResolvedImage {
  /** Normalised reference, as containerStatuses[].image shows it (docker.io/library/busybox:1.28). */
  reference: string;
  imageID: string;
  config: ImageConfig;
  /** Where it came from: the host catalog, a registry pull, or `tinylet image load`. */
  source: 'host' | 'pulled' | 'loaded';
  /** The image config's ExposedPorts ("80/tcp"), for describe. */
  exposedPorts?: string[];
}

export class ImagePullError extends Error {}

/**
 * The image is not a reference at all (the kubelet's ErrInvalidImageName): no pull is tried, so
 * there is no pull back-off either. The message is the kubelet's (distributionReference.ts).
 */
export class InvalidImageNameError extends Error {}

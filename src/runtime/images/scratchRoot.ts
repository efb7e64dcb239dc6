import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The empty lower layer of FROM scratch images, made once under the image dir and shared (it is
 * never written: each container writes into its own upper layer). The launcher creates the mount
 * points a container needs (/proc, /dev, /sys, the binds) in that upper layer.
 */
export function ensureScratchRoot(imageDir: string): string {
  const dir = join(imageDir, 'scratch');
  mkdirSync(dir, { recursive: true });
  // Containers running as another user (the pause image's 65535) must be able to look through it.
  chmodSync(dir, 0o755);
  return dir;
}

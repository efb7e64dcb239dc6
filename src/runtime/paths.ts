import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/runtime/paths.js and src/runtime/paths.ts both sit three levels below it. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== '/') dir = dirname(dir);
  return dir;
}

export const packageRoot = findPackageRoot();
export const pauseBinary = join(packageRoot, 'agent', 'tinylet-pause');
export const NSENTER = '/usr/bin/nsenter';
export const UNSHARE = '/usr/bin/unshare';

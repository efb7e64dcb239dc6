import { posix } from 'node:path';
import { ImageLoadError } from './loadError.js';

/**
 * An archive member's path as the loader keys it: `./blobs/sha256/ab`, `/manifest.json` and
 * `blobs//sha256/ab/` become `blobs/sha256/ab` and `manifest.json`; '' for the archive's root. A path
 * that climbs out of the archive (`../x`) is refused: nothing in an image archive has one.
 */
export function cleanArchivePath(name: string): string {
  const n = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (n === '.' || n === '') return '';
  if (n === '..' || n.startsWith('../')) throw new ImageLoadError(`${JSON.stringify(name)}: the path leaves the archive`);
  return n;
}

/** A link's target as an archive path: symlinks are relative to their directory (or to the root when absolute). */
export function linkTarget(path: string, linkname: string, hard: boolean): string {
  if (hard || linkname.startsWith('/')) return cleanArchivePath(linkname);
  return cleanArchivePath(posix.join(posix.dirname(path), linkname));
}

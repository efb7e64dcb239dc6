import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** As Linux's MAXSYMLINKS-ish limit (and securejoin's): more links than this on one path is an error. */
export const MAX_SYMLINKS = 255;

/** A path that cannot be resolved inside the root (a symlink loop, too many links). */
export class RootPathError extends Error {}

/**
 * The lexical clean of an archive name, as components relative to the root (Go's
 * `filepath.Clean("/" + name)` without the slash): empty and `.` components are dropped, `..` pops
 * one, and a `..` at the root stays at the root. `[]` is the root itself.
 */
export function cleanComponents(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/**
 * `unsafePath` resolved inside `root`, as a path relative to it ('' is the root): containerd's
 * `fs.RootPath` / securejoin. Every symlink among the parent components is followed as if `root`
 * were `/` (an absolute target starts again at the root, a `..` never climbs above it), so the
 * result names only real directories up to its last component. The last component is not followed:
 * an entry at a symlink's path replaces the symlink instead of writing through it.
 *
 * Components that do not exist yet are kept as they are (nothing to follow there). A symlink loop,
 * or more than MAX_SYMLINKS links, is an error.
 */
export function resolveInRoot(root: string, unsafePath: string): string {
  // Components still to walk, the next one at the end.
  const pending = unsafePath.split('/').reverse();
  const current: string[] = [];
  let links = 0;
  // Once a component is missing (or a parent is not a directory), nothing under it can be a symlink.
  let missing = false;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current.pop();
      continue;
    }
    current.push(part);
    if (missing || isLast(pending)) continue;
    const path = join(root, ...current);
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        missing = true;
        continue;
      }
      throw err;
    }
    if (!isLink) continue;
    if (++links > MAX_SYMLINKS) throw new RootPathError(`${unsafePath}: too many levels of symbolic links (a symlink loop?)`);
    const target = readlinkSync(path);
    current.pop();
    if (target.startsWith('/')) current.length = 0;
    for (const p of target.split('/').reverse()) pending.push(p);
  }
  return current.join('/');
}

/** `unsafePath` resolved inside `root` (see resolveInRoot), as an absolute path under `root`. */
export function rootPath(root: string, unsafePath: string): string {
  const rel = resolveInRoot(root, unsafePath);
  return rel === '' ? root : join(root, rel);
}

/** No component after this one but empty or `.` ones: a trailing `..` makes the current one a parent. */
function isLast(pending: string[]): boolean {
  for (const p of pending) if (p !== '' && p !== '.') return false;
  return true;
}

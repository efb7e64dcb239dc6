import { execFile } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TarHeader } from '../tar/tarHeader.js';
import { readTar } from '../tar/tarReader.js';
import { cleanComponents, resolveInRoot } from './rootPath.js';

const execFileAsync = promisify(execFile);

/** OCI image-spec whiteouts (layer.md): `.wh.<name>` deletes <name>, `.wh..wh..opq` empties its directory. */
const WHITEOUT_PREFIX = '.wh.';
/** `.wh..wh.*` names are whiteout metadata (aufs' `.wh..wh.plnk` and the like): never created. */
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';

export interface ApplyLayerResult {
  /** Tar entries read, whiteouts included. */
  entries: number;
  /** Whiteout entries applied (or ignored because they named something of this very layer). */
  whiteouts: number;
  /** Extended attributes (pax SCHILY.xattr.* / LIBARCHIVE.xattr.*) not set: see below. */
  skippedXattrs: number;
  /** Char/block devices not created because mknod was refused (EPERM: a user namespace). */
  skippedDevices: number;
}

/** A layer entry that cannot be applied: the message names the entry. */
export class LayerApplyError extends Error {}

/**
 * Applies one uncompressed layer tar to `root` (an existing directory) with the OCI image-spec
 * changeset semantics and containerd's `archive.Apply` behaviour:
 *
 * - Every name is cleaned lexically (`/x`, `./x`, `../../x` all land at `<root>/x`) and resolved
 *   with resolveInRoot, so symlinks in its parents, planted by this layer or a lower one, are
 *   followed inside the root and never out of it; the last component is never followed: an entry
 *   replaces a symlink at its path. Hard link targets are resolved the same way.
 * - An entry replaces what is at its path, except that a directory over a directory merges (its
 *   metadata is updated, its contents kept). Parents missing from the tar are created 0755, root-owned.
 * - Whiteouts only ever remove what lower layers left: what this layer created survives them,
 *   whatever their order in the tar (a set of the paths this layer made is kept for that).
 * - Ownership (lchown), then the mode (chmod, after chown so setuid/setgid survive), then mtimes;
 *   directories' mtimes at the end of the layer, once their contents stopped changing.
 * - Extended attributes are NOT set: Node has no setxattr(2) and tinylet takes no native addon, so
 *   they are counted in `skippedXattrs` (file capabilities such as ping's cap_net_raw are lost).
 * - Devices are made with mknod(1) as containerd does as root; refused (EPERM, a user namespace)
 *   they are skipped, as containerd does there. tinylet mounts container roots nodev anyway.
 * - Without root (euid != 0), ownership is not set (as tar --no-same-owner).
 */
export async function applyLayer(root: string, tar: AsyncIterable<Uint8Array>): Promise<ApplyLayerResult> {
  const rootStat = lstatSync(root);
  if (!rootStat.isDirectory()) throw new LayerApplyError(`cannot apply a layer to ${root}: not a directory`);
  const applier = new LayerApplier(root);
  await readTar(tar, async (header, body) => {
    applier.result.entries++;
    try {
      await applier.apply(header, body);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new LayerApplyError(`layer entry ${JSON.stringify(header.name)}: ${message}`, { cause: err });
    }
  });
  applier.finish();
  return applier.result;
}

interface Times {
  atime: number;
  mtime: number;
}

class LayerApplier {
  readonly result: ApplyLayerResult = { entries: 0, whiteouts: 0, skippedXattrs: 0, skippedDevices: 0 };
  /** Resolved root-relative paths of the entries this layer made. */
  private readonly created = new Set<string>();
  /** Their ancestors ('' the root included): directories a whiteout must enter rather than remove. */
  private readonly ancestors = new Set<string>(['']);
  /** Directories whose times are set at the end of the layer, by resolved root-relative path. */
  private readonly dirTimes = new Map<string, Times>();
  private readonly chown = process.geteuid?.() === 0;

  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  async apply(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    if (h.name.includes('\0')) throw new Error('the name contains a NUL byte');
    if (h.linkname.includes('\0')) throw new Error('the link target contains a NUL byte');
    const parts = cleanComponents(h.name);
    const base = parts.at(-1);
    if (base !== undefined && base.startsWith(WHITEOUT_PREFIX)) return this.whiteout(parts);

    for (const key of Object.keys(h.pax)) if (key.startsWith('SCHILY.xattr.') || key.startsWith('LIBARCHIVE.xattr.')) this.result.skippedXattrs++;

    const rel = resolveInRoot(this.root, parts.join('/'));
    const times = { atime: h.mtime, mtime: h.mtime };
    if (rel === '') {
      // `./`: the root's own metadata.
      if (h.type !== 'directory') throw new Error(`a ${h.type} cannot replace the root directory`);
      this.setOwnerAndMode(this.root, h);
      this.dirTimes.set('', times);
      return;
    }
    const slash = rel.lastIndexOf('/');
    this.ensureParent(slash < 0 ? '' : rel.slice(0, slash));
    const path = this.abs(rel);

    // A hard link's target, resolved before anything at the entry's path goes away.
    let linkTarget: string | undefined;
    if (h.type === 'link') {
      const targetRel = resolveInRoot(this.root, cleanComponents(h.linkname).join('/'));
      const target = this.abs(targetRel);
      const st = lstatOrUndefined(target);
      if (!st) throw new Error(`hard link ${h.name} -> ${h.linkname}: the target ${h.linkname} does not exist in the root`);
      if (st.isDirectory()) throw new Error(`hard link ${h.name} -> ${h.linkname}: the target is a directory`);
      if (targetRel === rel) throw new Error(`hard link ${h.name} -> ${h.linkname}: a link to itself`);
      linkTarget = target;
    }

    const existing = lstatOrUndefined(path);
    const merge = existing !== undefined && existing.isDirectory() && h.type === 'directory';
    if (existing && !merge) rmSync(path, { recursive: true, force: true }); // a symlink is removed, never followed

    switch (h.type) {
      case 'file':
        await this.writeFile(path, h, body, times);
        break;
      case 'directory':
        if (!merge) mkdirSync(path, { mode: 0o700 });
        this.setOwnerAndMode(path, h);
        this.dirTimes.set(rel, times);
        break;
      case 'symlink':
        // The target verbatim: it is only ever resolved by rootPath (here) or inside the container.
        symlinkSync(h.linkname, path);
        this.lchown(path, h.uid, h.gid);
        lutimesSync(path, times.atime, times.mtime);
        break;
      case 'link': {
        // link(2) (not linkat with AT_SYMLINK_FOLLOW): a symlink target is linked itself, not followed.
        linkSync(linkTarget!, path);
        this.lchown(path, h.uid, h.gid);
        // As containerd: the mode of the shared inode, unless it is a symlink (chmod would follow it).
        if (!lstatSync(path).isSymbolicLink()) chmodSync(path, h.mode);
        break;
      }
      case 'fifo':
        await execFileAsync('mkfifo', ['-m', '600', '--', path]);
        this.setOwnerAndMode(path, h);
        lutimesSync(path, times.atime, times.mtime);
        break;
      case 'char':
      case 'block':
        try {
          await execFileAsync('mknod', ['-m', '600', '--', path, h.type === 'char' ? 'c' : 'b', String(h.devmajor), String(h.devminor)], {
            env: { ...process.env, LC_ALL: 'C' },
          });
        } catch (err) {
          if (/Operation not permitted/.test(String((err as { stderr?: unknown }).stderr ?? ''))) {
            this.result.skippedDevices++;
            return;
          }
          throw new Error(`mknod: ${String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim()}`);
        }
        this.setOwnerAndMode(path, h);
        lutimesSync(path, times.atime, times.mtime);
        break;
    }
    this.markCreated(rel);
  }

  /** Directory mtimes, once the layer stopped changing their contents. */
  finish(): void {
    for (const [rel, t] of this.dirTimes) {
      // A later entry of the layer may have replaced the directory, or one of its parents by a symlink:
      // only a path that still resolves to itself, and is still a directory, is touched.
      if (rel !== '' && resolveInRoot(this.root, rel) !== rel) continue;
      const path = this.abs(rel);
      if (lstatOrUndefined(path)?.isDirectory()) lutimesSync(path, t.atime, t.mtime);
    }
  }

  private async writeFile(path: string, h: TarHeader, body: AsyncIterable<Buffer>, times: Times): Promise<void> {
    // O_EXCL|O_NOFOLLOW: whatever was there was removed above; if anything reappeared, fail rather than write through it.
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of body) {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
      }
      if (this.chown) fchownSync(fd, h.uid, h.gid);
      fchmodSync(fd, h.mode);
      futimesSync(fd, times.atime, times.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private whiteout(parts: string[]): void {
    this.result.whiteouts++;
    const base = parts.at(-1)!;
    // Resolving the whiteout's own path resolves its parent, symlinks and all.
    const resolved = resolveInRoot(this.root, parts.join('/'));
    const slash = resolved.lastIndexOf('/');
    const dir = slash < 0 ? '' : resolved.slice(0, slash);
    if (!lstatOrUndefined(this.abs(dir))?.isDirectory()) return; // nothing below to hide
    if (base === WHITEOUT_OPAQUE) {
      this.purge(dir);
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) return;
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') throw new Error('an invalid whiteout name');
    this.remove(dir === '' ? name : `${dir}/${name}`);
  }

  /** Removes what a lower layer left at `rel`; what this layer made there (or below) stays. */
  private remove(rel: string): void {
    if (this.created.has(rel)) return;
    const st = lstatOrUndefined(this.abs(rel));
    if (!st) return;
    if (this.ancestors.has(rel) && st.isDirectory()) this.purge(rel);
    else rmSync(this.abs(rel), { recursive: true, force: true });
  }

  /** Empties `rel` (a real directory) of everything lower layers put there, recursively. */
  private purge(rel: string): void {
    for (const name of readdirSync(this.abs(rel))) {
      const child = rel === '' ? name : `${rel}/${name}`;
      if (this.created.has(child) || this.ancestors.has(child)) {
        // An opaque directory hides the lower contents of its subdirectories too (overlayfs semantics).
        if (lstatSync(this.abs(child)).isDirectory()) this.purge(child);
      } else {
        rmSync(this.abs(child), { recursive: true, force: true });
      }
    }
  }

  private markCreated(rel: string): void {
    this.created.add(rel);
    for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
      const parent = rel.slice(0, i);
      if (this.ancestors.has(parent)) break;
      this.ancestors.add(parent);
    }
  }

  /**
   * `rel` (resolved: no symlink among its components) as a directory, creating the missing ones
   * 0755 and root-owned, as containerd does for parents a tar leaves out.
   */
  private ensureParent(rel: string): void {
    if (rel === '') return;
    const st = lstatOrUndefined(this.abs(rel));
    if (st?.isDirectory()) return;
    if (st) throw new Error(`${rel} is not a directory`);
    let cur = '';
    for (const part of rel.split('/')) {
      cur = cur === '' ? part : `${cur}/${part}`;
      const path = this.abs(cur);
      const s = lstatOrUndefined(path);
      if (s?.isDirectory()) continue;
      if (s) throw new Error(`${cur} is not a directory`);
      mkdirSync(path, { mode: 0o755 });
      chmodSync(path, 0o755); // whatever the umask
      this.lchown(path, 0, 0);
    }
  }

  /** lchown, then chmod (chown clears setuid/setgid, so the mode comes second). Not for symlinks. */
  private setOwnerAndMode(path: string, h: TarHeader): void {
    this.lchown(path, h.uid, h.gid);
    chmodSync(path, h.mode);
  }

  private lchown(path: string, uid: number, gid: number): void {
    if (this.chown) lchownSync(path, uid, gid);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

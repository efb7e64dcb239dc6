import { createReadStream, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readTar } from '../tar/tarReader.js';
import { TarFormatError } from '../tar/tarHeader.js';
import { cleanArchivePath } from './archivePath.js';
import { ImageLoadError } from './loadError.js';

/** One member of an image archive, whether it came from a tar stream or a layout directory. */
export interface ArchiveEntry {
  /** Cleaned (archivePath.ts): `blobs/sha256/<hex>`, `manifest.json`, `<id>/layer.tar`. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  size: number;
  /** A symlink's target as written (relative to its directory), or a hard link's archive path. */
  linkname: string;
  /** A regular file's bytes; read once, or not at all. */
  body: AsyncIterable<Uint8Array>;
}

const EMPTY: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };

/**
 * Calls `onEntry` for each member of the archive at `source` (a tar file, plain or gzip-compressed, a
 * directory holding an OCI layout, or '-' for `stdin`), in one pass over the bytes: stdin cannot be
 * read twice, and an archive is never held in memory.
 */
export async function forEachArchiveEntry(source: string, stdin: AsyncIterable<Uint8Array> | undefined, onEntry: (entry: ArchiveEntry) => Promise<void>): Promise<void> {
  if (source !== '-') {
    let isDir: boolean;
    try {
      isDir = statSync(source).isDirectory();
    } catch (err) {
      throw new ImageLoadError(`${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    if (isDir) return walkLayout(source, '', onEntry);
  }
  const label = source === '-' ? 'stdin' : source;
  const raw: AsyncIterable<Uint8Array> = source === '-' ? (stdin ?? process.stdin) : createReadStream(source);
  const bytes = decompressed(raw, label);
  try {
    await readTar(bytes, (header, body) => {
      const path = cleanArchivePath(header.name);
      const type = header.type === 'file' || header.type === 'directory' || header.type === 'symlink' || header.type === 'link' ? header.type : 'other';
      return onEntry({ path, type, size: header.type === 'file' ? header.size : 0, linkname: header.linkname, body });
    });
  } catch (err) {
    if (err instanceof TarFormatError) throw new ImageLoadError(`${label}: ${err.message}`);
    throw err;
  } finally {
    // The tar's end may come before the file's (its padding records): close the file or the pipe.
    await bytes.return(undefined).catch(() => {});
  }
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a];
const BZIP2 = [0x42, 0x5a, 0x68];

/** The archive's tar bytes: a gzip stream (`docker save | gzip`) is told by its magic bytes and inflated. */
async function* decompressed(input: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  try {
    yield* sniffed(it, label);
  } finally {
    await it.return?.();
  }
}

async function* sniffed(it: AsyncIterator<Uint8Array>, label: string): AsyncGenerator<Uint8Array> {
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < 8) {
    const r = await it.next();
    if (r.done) break;
    head.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
    headLength += r.value.byteLength;
  }
  const first = Buffer.concat(head);
  if (first.length === 0) throw new ImageLoadError(`${label}: the archive is empty`);
  const starts = (magic: number[]) => magic.every((b, i) => first[i] === b);
  if (starts(ZSTD) || starts(XZ) || starts(BZIP2)) {
    const kind = starts(ZSTD) ? 'zstd' : starts(XZ) ? 'xz' : 'bzip2';
    throw new ImageLoadError(`${label}: ${kind}-compressed archives are not supported: decompress it first (or use gzip)`);
  }
  const rest = (async function* () {
    yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  if (!starts(GZIP)) {
    yield* rest;
    return;
  }
  const source = Readable.from(rest);
  const gunzip = createGunzip();
  pipeline(source, gunzip, () => {}); // an error of either ends the iteration below with it
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof ImageLoadError) throw err;
    throw new ImageLoadError(`${label}: gzip: ${(err as Error).message}`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** An OCI layout directory, member by member (symlinks reported as links, never followed out of it). */
async function walkLayout(root: string, rel: string, onEntry: (entry: ArchiveEntry) => Promise<void>): Promise<void> {
  const names = readdirSync(join(root, rel)).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(root, path);
    const st = lstatSync(full);
    if (st.isDirectory()) {
      await onEntry({ path, type: 'directory', size: 0, linkname: '', body: EMPTY });
      await walkLayout(root, path, onEntry);
    } else if (st.isSymbolicLink()) {
      await onEntry({ path, type: 'symlink', size: 0, linkname: readlinkSync(full), body: EMPTY });
    } else if (st.isFile()) {
      // Opened when read: a member the loader skips costs no file descriptor.
      await onEntry({ path, type: 'file', size: st.size, linkname: '', body: { [Symbol.asyncIterator]: () => createReadStream(full)[Symbol.asyncIterator]() } });
    } else {
      await onEntry({ path, type: 'other', size: 0, linkname: '', body: EMPTY });
    }
  }
}

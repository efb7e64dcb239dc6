import { DigestMismatchError, digestOf, type BlobStore } from '../content/blobStore.js';
import type { ArchiveEntry } from './archiveInput.js';
import { linkTarget } from './archivePath.js';
import { ImageLoadError } from './loadError.js';

/** A metadata file (manifest.json, index.json, a config, a manifest blob) the loader reads whole. */
export const MAX_METADATA_BYTES = 4 << 20;
/** All metadata files kept in memory together: a tar of a million `x.json` files is not an image. */
const MAX_METADATA_TOTAL = 64 << 20;
const BLOB = /^blobs\/sha256\/([a-f0-9]{64})$/;
/** Legacy docker-save members nothing reads: `<id>/json`, `<id>/VERSION`, `repositories`. */
const IGNORED = /^(?:repositories|[^/]+\/json|[^/]+\/VERSION)$/;

/** A regular file of the archive, now a blob of the store. */
export interface ArchiveFile {
  digest: string;
  size: number;
  /** Its first bytes: a legacy layer's compression is told by them. */
  head: Buffer;
}

/**
 * What one pass over an archive leaves: every regular file streamed into the blob store while it is
 * hashed (`blobs/sha256/<hex>` ones checked against their name), the small top-level JSON files
 * (manifest.json, index.json, oci-layout, `<id>.json`) kept in memory instead, and the links, resolved
 * afterwards within the archive. The image records are built from this once the stream has ended.
 */
export class ArchiveContents {
  private readonly files = new Map<string, ArchiveFile>();
  private readonly metadata = new Map<string, Buffer>();
  private readonly links = new Map<string, string>();
  private metadataBytes = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly onProgress?: (msg: string) => void,
  ) {}

  async add(entry: ArchiveEntry): Promise<void> {
    const { path } = entry;
    if (path === '') return;
    // A member written twice: the last one is the archive's, as tar extracts it.
    this.files.delete(path);
    this.metadata.delete(path);
    this.links.delete(path);
    if (entry.type === 'symlink' || entry.type === 'link') {
      this.links.set(path, linkTarget(path, entry.linkname, entry.type === 'link'));
      return;
    }
    if (entry.type !== 'file' || IGNORED.test(path)) return;
    if (isMetadataName(path)) {
      this.metadata.set(path, await readSmall(entry, path, this.metadataBytes));
      this.metadataBytes += entry.size;
      return;
    }
    const blob = BLOB.exec(path);
    const head: Buffer[] = [];
    let headLength = 0;
    const tapped = (async function* () {
      for await (const chunk of entry.body) {
        if (headLength < 8) {
          head.push(Buffer.from(chunk.subarray(0, 8 - headLength)));
          headLength += Math.min(chunk.length, 8 - headLength);
        }
        yield chunk;
      }
    })();
    if (entry.size >= 1 << 20) this.onProgress?.(`Loading ${path} (${formatBytes(entry.size)})`);
    let stored: { digest: string; size: number };
    try {
      stored = await this.blobs.ingest(tapped, blob ? { expected: { digest: `sha256:${blob[1]}`, size: entry.size } } : { maxBytes: entry.size });
    } catch (err) {
      if (err instanceof DigestMismatchError) throw new ImageLoadError(`${path}: the content does not match its name (${err.message})`);
      throw err;
    }
    this.files.set(path, { ...stored, head: Buffer.concat(head) });
  }

  /** The regular file a path names, links followed within the archive; undefined when there is none. */
  resolve(path: string): string | undefined {
    for (let hops = 0; hops < 32; hops++) {
      if (this.files.has(path) || this.metadata.has(path)) return path;
      const next = this.links.get(path);
      if (next === undefined) return undefined;
      path = next;
    }
    return undefined;
  }

  /** The blob-store digest and size of an archive file (a metadata file is hashed where it is, in memory). */
  file(path: string): ArchiveFile | undefined {
    const real = this.resolve(path);
    if (real === undefined) return undefined;
    const meta = this.metadata.get(real);
    if (meta) return { digest: digestOf(meta), size: meta.length, head: meta.subarray(0, 8) };
    return this.files.get(real);
  }

  /** The `blobs/sha256/<hex>` member of a digest (its content already checked against the name). */
  blob(digest: string): ArchiveFile | undefined {
    return this.file(`blobs/sha256/${digest.slice('sha256:'.length)}`);
  }

  /** A metadata file's bytes, from memory or (a blob) from the store; `what` says what it is, for errors. */
  bytes(path: string, what: string): Buffer {
    const real = this.resolve(path);
    if (real === undefined) throw new ImageLoadError(`${what}: ${JSON.stringify(path)} is not in the archive`);
    const meta = this.metadata.get(real);
    if (meta) return meta;
    const f = this.files.get(real)!;
    if (f.size > MAX_METADATA_BYTES) throw new ImageLoadError(`${what}: ${path} is ${formatBytes(f.size)}, more than the ${formatBytes(MAX_METADATA_BYTES)} a manifest or config may have`);
    return this.blobs.read(f.digest);
  }

  /** `bytes`, parsed. */
  json(path: string, what: string): unknown {
    const text = this.bytes(path, what).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ImageLoadError(`${what === path ? path : `${what} (${path})`}: invalid JSON: ${(err as Error).message}`);
    }
  }

  has(path: string): boolean {
    return this.resolve(path) !== undefined;
  }

  /** The blob a metadata file becomes when it is part of an image (a legacy `<id>.json` config). */
  async store(path: string): Promise<ArchiveFile> {
    const real = this.resolve(path)!;
    const meta = this.metadata.get(real);
    if (!meta) return this.files.get(real)!;
    const stored = await this.blobs.ingestBuffer(meta);
    return { ...stored, head: meta.subarray(0, 8) };
  }
}

/** Top-level JSON the loader reads: manifest.json, index.json, oci-layout and legacy `<id>.json` configs. */
function isMetadataName(path: string): boolean {
  return path === 'oci-layout' || (!path.includes('/') && path.endsWith('.json'));
}

async function readSmall(entry: ArchiveEntry, path: string, already: number): Promise<Buffer> {
  if (entry.size > MAX_METADATA_BYTES) throw new ImageLoadError(`${path}: ${formatBytes(entry.size)}, more than the ${formatBytes(MAX_METADATA_BYTES)} a metadata file may have`);
  if (already + entry.size > MAX_METADATA_TOTAL) throw new ImageLoadError(`${path}: the archive's JSON files are more than ${formatBytes(MAX_METADATA_TOTAL)} together`);
  const chunks: Buffer[] = [];
  for await (const c of entry.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A digest the content store accepts: sha256 only, as every registry and image tool writes them. */
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The bytes did not hash to (or were not as long as) what the manifest said: never stored. */
export class DigestMismatchError extends Error {}

/** The digest of bytes in memory (a manifest, a small archive file). */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST.test(s);
}

export interface IngestOptions {
  /** The digest (and size) the bytes must have; without one the store computes it. */
  expected?: { digest: string; size?: number };
  /** Called with the bytes received so far, for progress reports. */
  onProgress?: (bytes: number) => void;
  /** Refuse more than this many bytes (a blob of unknown size from an archive). */
  maxBytes?: number;
}

/**
 * Content-addressed blobs (containerd's content store): `<dir>/sha256/<hex>`. Bytes are hashed while
 * they stream into a file under `<dir>/ingest/`, and only renamed into place once the digest (and the
 * size) match, so a blob in the store is always the one its name says, even across a crash.
 */
export class BlobStore {
  constructor(readonly dir: string) {}

  path(digest: string): string {
    if (!isDigest(digest)) throw new DigestMismatchError(`invalid digest ${JSON.stringify(digest)}`);
    return join(this.dir, 'sha256', digest.slice('sha256:'.length));
  }

  has(digest: string): boolean {
    return isDigest(digest) && existsSync(this.path(digest));
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  read(digest: string): Buffer {
    return readFileSync(this.path(digest));
  }

  async ingest(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: IngestOptions = {}): Promise<{ digest: string; size: number }> {
    const { expected } = opts;
    if (expected && !isDigest(expected.digest)) throw new DigestMismatchError(`unsupported digest ${JSON.stringify(expected.digest)} (only sha256 is supported)`);
    const limit = expected?.size ?? opts.maxBytes ?? Infinity;
    mkdirSync(join(this.dir, 'ingest'), { recursive: true });
    mkdirSync(join(this.dir, 'sha256'), { recursive: true });
    const tmp = join(this.dir, 'ingest', randomBytes(8).toString('hex'));
    const fd = openSync(tmp, 'wx', 0o644);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of input) {
        size += chunk.length;
        if (size > limit) throw new DigestMismatchError(`blob ${expected?.digest ?? ''} is longer than the ${limit} bytes expected`.replace('  ', ' '));
        hash.update(chunk);
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
        opts.onProgress?.(size);
      }
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    const digest = `sha256:${hash.digest('hex')}`;
    if (expected && (digest !== expected.digest || (expected.size !== undefined && size !== expected.size))) {
      rmSync(tmp, { force: true });
      throw new DigestMismatchError(
        digest !== expected.digest ? `digest mismatch: expected ${expected.digest}, got ${digest}` : `size mismatch for ${digest}: expected ${expected.size} bytes, got ${size}`,
      );
    }
    renameSync(tmp, this.path(digest));
    return { digest, size };
  }

  /** Bytes already in memory (a manifest fetched whole). */
  ingestBuffer(bytes: Buffer, expected?: { digest: string; size?: number }): Promise<{ digest: string; size: number }> {
    return this.ingest([bytes], { expected });
  }

  remove(digest: string): void {
    rmSync(this.path(digest), { force: true });
  }

  list(): string[] {
    const dir = join(this.dir, 'sha256');
    return existsSync(dir) ? readdirSync(dir).filter((h) => /^[a-f0-9]{64}$/.test(h)).map((h) => `sha256:${h}`) : [];
  }

  /** Half-written blobs of an interrupted ingest. */
  clearIngest(): void {
    rmSync(join(this.dir, 'ingest'), { recursive: true, force: true });
  }
}

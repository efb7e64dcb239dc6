import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { isDigest, type BlobStore } from '../content/blobStore.js';
import { applyLayer } from './applyLayer.js';
import { openLayer } from './decompress.js';

/** A layer's uncompressed bytes did not hash to the image config's rootfs.diff_ids entry. */
export class DiffIDMismatchError extends Error {}

/**
 * Applies an image's layers (manifest order, the base first) into `target`, created 0755 if it does
 * not exist. The uncompressed bytes of layer i must hash to `diffIDs[i]` (the config's
 * rootfs.diff_ids): they are hashed while they are applied, trailing padding after the tar's end
 * included, and a mismatch is an error once the layer is read. On any error `target` is left
 * half-unpacked: the caller removes it (it is never a usable root). `onLayer(i)` is called once
 * layer i is applied and verified.
 */
export async function unpackImage(blobs: BlobStore, layers: { digest: string }[], diffIDs: string[], target: string, onLayer?: (i: number) => void): Promise<void> {
  if (layers.length !== diffIDs.length) throw new DiffIDMismatchError(`the image has ${layers.length} layers but ${diffIDs.length} diff IDs`);
  diffIDs.forEach((d, i) => {
    if (!isDigest(d)) throw new DiffIDMismatchError(`layer ${i}: unsupported diff ID ${JSON.stringify(d)} (only sha256 is supported)`);
  });
  mkdirSync(target, { recursive: true, mode: 0o755 });
  chmodSync(target, 0o755); // whatever the umask; a layer's `./` entry may change it
  for (let i = 0; i < layers.length; i++) {
    const { digest } = layers[i]!;
    if (!blobs.has(digest)) throw new Error(`layer ${i}: blob ${digest} is not in the content store`);
    const it = openLayer(blobs.path(digest))[Symbol.asyncIterator]();
    const hash = createHash('sha256');
    const pull = async (): Promise<IteratorResult<Buffer, void>> => {
      const r = await it.next();
      if (!r.done) hash.update(r.value);
      return r;
    };
    try {
      // The tar reader stops at the end-of-archive blocks; it never closes the stream itself.
      await applyLayer(target, { [Symbol.asyncIterator]: () => ({ next: pull }) });
      while (!(await pull()).done); // what follows the end blocks is part of the diff ID too
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`layer ${i} (${digest}): ${message}`, { cause: err });
    } finally {
      await it.return?.();
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== diffIDs[i]) throw new DiffIDMismatchError(`layer ${i}: diff ID mismatch: expected ${diffIDs[i]}, got ${got}`);
    onLayer?.(i);
  }
}

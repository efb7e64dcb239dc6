// SPDY/3 header compression: one zlib context per direction for the whole connection, preset with
// the SPDY/3 dictionary, each header block ended by a Z_SYNC_FLUSH. Node's zlib contexts are only
// persistent as streams (asynchronous), so every operation is queued: blocks come out in order.
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock } from './frames.js';

/** Runs zlib over one block and collects what that block's sync flush produced. */
function pass(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (d: Buffer) => chunks.push(d);
    const onError = (err: Error) => {
      z.off('data', onData);
      reject(err);
    };
    z.on('data', onData);
    z.once('error', onError);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}

class Ordered {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const next = this.tail.then(f, f);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class HeaderCompressor {
  private readonly z = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly queue = new Ordered();

  compress(headers: Record<string, string>): Promise<Buffer> {
    return this.queue.run(() => pass(this.z, encodeHeaderBlock(headers)));
  }

  close(): void {
    this.z.close();
  }
}

export class HeaderDecompressor {
  // Inflate asks for the dictionary by its Adler-32; Node answers with the one given here.
  private readonly z = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly queue = new Ordered();

  decompress(block: Buffer): Promise<Record<string, string>> {
    return this.queue.run(async () => (block.length === 0 ? {} : decodeHeaderBlock(await pass(this.z, block))));
  }

  close(): void {
    this.z.close();
  }
}

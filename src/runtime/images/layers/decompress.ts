import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface OpenLayerOptions {
  /** The zstd binary (default `zstd` from PATH): Node 20's zlib has no zstd. */
  zstdBinary?: string;
}

/**
 * The compression of a layer by its first bytes, as containerd's `compression.DetectCompression`:
 * media types lie (docker's `.tar.gzip` types on zstd blobs, `tar` types on gzip ones), magic bytes do not.
 */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/**
 * The uncompressed bytes of the layer blob at `path` (gzip, zstd or a plain tar, told apart by
 * their magic bytes), streamed. Nothing happens until the iteration starts; a decompressor's error
 * (a corrupt gzip stream, zstd exiting non-zero) rejects the iteration, and stopping early (`break`,
 * `return()`) closes the file and kills and reaps the zstd child.
 */
export async function* openLayer(path: string, opts: OpenLayerOptions = {}): AsyncGenerator<Buffer, void, undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    // A positional read: the file offset stays at 0 for the stream (and the zstd child) that follow.
    const { bytesRead } = await file.read(head, 0, 4, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    if (compression === 'zstd') {
      yield* zstdStream(file.fd, opts.zstdBinary ?? 'zstd');
      return;
    }
    const raw = file.createReadStream({ start: 0, autoClose: false });
    let out: Readable = raw;
    if (compression === 'gzip') {
      const gunzip = createGunzip();
      // pipe() does not forward errors: a read error ends the gunzip stream with it.
      raw.on('error', (err) => gunzip.destroy(err));
      raw.pipe(gunzip);
      out = gunzip;
    }
    try {
      for await (const chunk of out) yield chunk as Buffer;
    } finally {
      out.destroy();
      raw.destroy();
    }
  } finally {
    // Waits for a read still in flight on the handle.
    await file.close();
  }
}

/** `zstd -dc` with the open blob as its stdin. */
async function* zstdStream(fd: number, binary: string): AsyncGenerator<Buffer, void, undefined> {
  const child = spawn(binary, ['-d', '-c', '-q'], { stdio: [fd, 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  // Every outcome of the child, so that no 'error' event is ever unhandled.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  stdout.on('error', () => {}); // surfaced by the iteration below
  let finished = false;
  try {
    for await (const chunk of stdout) yield chunk as Buffer;
    const { code, signal, error } = await exited;
    finished = true;
    if (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`cannot decompress a zstd layer: the ${binary} binary was not found (install it: apt-get install zstd)`);
      }
      throw new Error(`zstd: ${error.message}`);
    }
    if (code !== 0) throw new Error(`zstd -dc failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${stderr.trim() || 'corrupt zstd stream?'}`);
  } finally {
    if (!finished) {
      // The consumer stopped early, or the pipe failed: the child must not outlive the iteration.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      stdout.destroy();
      await exited;
    }
  }
}

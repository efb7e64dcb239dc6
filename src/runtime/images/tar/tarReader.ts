import { BLOCK, TarFormatError, type TarEntryType, type TarHeader } from './tarHeader.js';

/**
 * Reads a tar stream (ustar, pax, GNU long names; what docker, buildkit, skopeo and Go's archive/tar
 * write) entry by entry. `onEntry` gets each header and its body; a body it does not read is skipped.
 * The stream is read as it comes, never whole, so a layer of any size costs one chunk of memory.
 */
export async function readTar(input: AsyncIterable<Uint8Array>, onEntry: (header: TarHeader, body: AsyncIterable<Buffer>) => Promise<void> | void): Promise<void> {
  const reader = new ByteReader(input[Symbol.asyncIterator]());
  const globalPax: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block === undefined) return; // a stream cut at a block boundary: as Go's reader, the end
    if (block.every((b) => b === 0)) return; // the end-of-archive blocks (the second one is not required)
    const raw = parseBlock(block);
    const padded = Math.ceil(raw.size / BLOCK) * BLOCK;
    if (raw.flag === 'x' || raw.flag === 'g' || raw.flag === 'L' || raw.flag === 'K') {
      if (raw.size > 1 << 20) throw new TarFormatError(`tar: ${raw.flag} record of ${raw.size} bytes is too large`);
      const data = await reader.readExact(padded);
      const text = data.subarray(0, raw.size);
      if (raw.flag === 'x') pax = { ...pax, ...parsePax(text) };
      else if (raw.flag === 'g') Object.assign(globalPax, parsePax(text));
      else if (raw.flag === 'L') longName = cString(text);
      else longLink = cString(text);
      continue;
    }
    const records = { ...globalPax, ...pax };
    const header = toHeader(raw, records, longName, longLink);
    pax = {};
    longName = longLink = undefined;
    // Only regular files carry data that is theirs; a link or a device with a size is read past.
    const dataSize = header.type === 'file' ? header.size : raw.flag === '1' || raw.flag === '2' || raw.flag === '5' ? 0 : raw.size;
    const body = reader.body(header.type === 'file' ? header.size : 0);
    await onEntry(header, body.iterable);
    await body.drain();
    await reader.skip(Math.ceil(dataSize / BLOCK) * BLOCK - (header.type === 'file' ? header.size : 0));
  }
}

interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  flag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function parseBlock(b: Buffer): RawHeader {
  const stored = parseNumber(b.subarray(148, 156), 'chksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  if (stored !== unsigned && stored !== signed) throw new TarFormatError('tar: invalid header (checksum mismatch): not a tar archive, or a corrupted one');
  const ustar = b.subarray(257, 262).toString('latin1') === 'ustar';
  let name = cString(b.subarray(0, 100));
  const prefix = ustar ? cString(b.subarray(345, 500)) : '';
  if (prefix) name = `${prefix}/${name}`;
  return {
    name,
    mode: parseNumber(b.subarray(100, 108), 'mode'),
    uid: parseNumber(b.subarray(108, 116), 'uid'),
    gid: parseNumber(b.subarray(116, 124), 'gid'),
    size: parseNumber(b.subarray(124, 136), 'size'),
    mtime: parseNumber(b.subarray(136, 148), 'mtime'),
    flag: String.fromCharCode(b[156]!),
    linkname: cString(b.subarray(157, 257)),
    devmajor: ustar ? parseNumber(b.subarray(329, 337), 'devmajor') : 0,
    devminor: ustar ? parseNumber(b.subarray(337, 345), 'devminor') : 0,
  };
}

const TYPES: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo' };

function toHeader(raw: RawHeader, pax: Record<string, string>, longName?: string, longLink?: string): TarHeader {
  const num = (key: string, fallback: number) => {
    const v = pax[key];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new TarFormatError(`tar: invalid pax ${key} ${JSON.stringify(v)}`);
    return n;
  };
  if (raw.flag === 'S') throw new TarFormatError(`tar: ${raw.name}: GNU sparse files are not supported`);
  let type = TYPES[raw.flag];
  let name = pax.path ?? longName ?? raw.name;
  // Old tars mark directories by a trailing slash on a regular-file entry.
  if (type === 'file' && raw.flag === '\0' && name.endsWith('/')) type = 'directory';
  // Vendor types ('A'-'Z' and the rest) are read as regular files, as POSIX asks.
  type ??= 'file';
  return {
    name,
    type,
    mode: raw.mode & 0o7777,
    uid: num('uid', raw.uid),
    gid: num('gid', raw.gid),
    size: num('size', raw.size),
    mtime: num('mtime', raw.mtime),
    linkname: pax.linkpath ?? longLink ?? raw.linkname,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    pax,
  };
}

/** Octal text, or GNU base-256 (high bit of the first byte set) for values octal cannot hold. */
function parseNumber(field: Buffer, what: string): number {
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarFormatError(`tar: negative ${what}`);
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    if (!Number.isSafeInteger(n)) throw new TarFormatError(`tar: ${what} too large`);
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar: invalid ${what} field ${JSON.stringify(text)}: not a tar archive, or a corrupted one`);
  return parseInt(text, 8);
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

/** "len key=value\n" records; len counts the whole record. */
function parsePax(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < b.length) {
    if (b[off] === 0) break;
    const space = b.indexOf(0x20, off);
    const len = Number(b.subarray(off, space).toString('latin1'));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || off + len > b.length) throw new TarFormatError('tar: invalid pax header');
    const record = b.subarray(space + 1, off + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq < 0) throw new TarFormatError('tar: invalid pax record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    off += len;
  }
  return out;
}

/** Exact reads from an async iterator of chunks, without concatenating more than it must. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    return true;
  }

  /** n bytes, or undefined at a clean end of stream; a stream cut inside them is an error. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered < n) {
      if (!(await this.fill())) {
        if (this.buffered === 0) return undefined;
        throw new TarFormatError('tar: unexpected end of archive');
      }
    }
    return this.take(n);
  }

  async readExact(n: number): Promise<Buffer> {
    const b = await this.read(n);
    if (b === undefined && n > 0) throw new TarFormatError('tar: unexpected end of archive');
    return b ?? Buffer.alloc(0);
  }

  /** Up to n bytes that are buffered (reading one chunk if none are). */
  async readSome(n: number): Promise<Buffer> {
    if (this.buffered === 0 && !(await this.fill())) throw new TarFormatError('tar: unexpected end of archive');
    return this.take(Math.min(n, this.chunks[0]!.length));
  }

  async skip(n: number): Promise<void> {
    while (n > 0) n -= (await this.readSome(n)).length;
  }

  body(size: number): { iterable: AsyncIterable<Buffer>; drain: () => Promise<void> } {
    let left = size;
    const next = async (): Promise<Buffer | undefined> => {
      if (left === 0) return undefined;
      const chunk = await this.readSome(left);
      left -= chunk.length;
      return chunk;
    };
    return {
      iterable: {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const value = await next();
            return value === undefined ? { done: true, value: undefined } : { done: false, value };
          },
        }),
      },
      drain: async () => {
        await this.skip(left);
        left = 0;
      },
    };
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.alloc(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const take = Math.min(c.length, n - off);
        c.copy(out, off, 0, take);
        off += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}

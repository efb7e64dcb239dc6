// SPDY/3.1 frames (draft 3.1, section 2): encoding and incremental decoding. Header blocks stay
// compressed here; headerCodec.ts owns the zlib contexts, since they are per connection and ordered.
export const SPDY_VERSION = 3;

export const FrameType = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes used here. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6, STREAM_ALREADY_CLOSED: 9 } as const;

/** A frame's length field is 24 bits. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {}

/** Splits a byte stream into frames; feed() returns the complete frames received so far. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = 16 * 1024 * 1024) {}

  feed(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (len > this.maxPayload) throw new SpdyProtocolError(`frame of ${len} bytes is over the limit`);
      if (this.buf.length < 8 + len) break;
      const flags = this.buf[4]!;
      const payload = this.buf.subarray(8, 8 + len);
      if (this.buf[0]! & 0x80) {
        const version = this.buf.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        out.push({ kind: 'control', type: this.buf.readUInt16BE(2), flags, payload: Buffer.from(payload) });
      } else {
        out.push({ kind: 'data', streamId: this.buf.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(payload) });
      }
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** SYN_STREAM: stream id, associated stream id, priority (3 bits), slot, header block. */
export function synStreamPayload(streamId: number, associatedId: number, priority: number, headerBlock: Buffer): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(associatedId & 0x7fffffff, 4);
  p[8] = (priority & 7) << 5;
  return Buffer.concat([p, headerBlock]);
}

export function parseSynStream(payload: Buffer): { streamId: number; associatedId: number; priority: number; headerBlock: Buffer } {
  if (payload.length < 10) throw new SpdyProtocolError('SYN_STREAM too short');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, associatedId: payload.readUInt32BE(4) & 0x7fffffff, priority: payload[8]! >> 5, headerBlock: payload.subarray(10) };
}

/** SYN_REPLY and HEADERS: stream id, header block. */
export function streamHeadersPayload(streamId: number, headerBlock: Buffer): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  return Buffer.concat([p, headerBlock]);
}

export function parseStreamHeaders(payload: Buffer): { streamId: number; headerBlock: Buffer } {
  if (payload.length < 4) throw new SpdyProtocolError('header frame too short');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, headerBlock: payload.subarray(4) };
}

/** RST_STREAM, GOAWAY and WINDOW_UPDATE all carry two 32-bit words (a stream id, then a number). */
export function twoWords(a: number, b: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(a & 0x7fffffff, 0);
  p.writeUInt32BE(b >>> 0, 4);
  return p;
}

export function parseTwoWords(payload: Buffer, what: string): [number, number] {
  if (payload.length < 8) throw new SpdyProtocolError(`${what} too short`);
  return [payload.readUInt32BE(0) & 0x7fffffff, payload.readUInt32BE(4) >>> 0];
}

/** SETTINGS entries: flags (8 bits), id (24 bits), value (32 bits). */
export function parseSettings(payload: Buffer): { flags: number; id: number; value: number }[] {
  if (payload.length < 4) throw new SpdyProtocolError('SETTINGS too short');
  const n = payload.readUInt32BE(0);
  if (payload.length < 4 + 8 * n) throw new SpdyProtocolError('SETTINGS shorter than its entry count');
  const out: { flags: number; id: number; value: number }[] = [];
  for (let i = 0; i < n; i++) {
    const off = 4 + 8 * i;
    out.push({ flags: payload[off]!, id: payload.readUIntBE(off + 1, 3), value: payload.readUInt32BE(off + 4) });
  }
  return out;
}

/** The uncompressed header block: a count, then length-prefixed names and values (32-bit lengths). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const s of [name.toLowerCase(), value]) {
      const b = Buffer.from(s);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

/** Repeated values of a name are NUL-separated in SPDY; they are kept joined here. */
export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  const take = (): string => {
    if (off + 4 > block.length) throw new SpdyProtocolError('header block truncated');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) throw new SpdyProtocolError('header block truncated');
    const s = block.subarray(off, off + len).toString();
    off += len;
    return s;
  };
  const n = block.length >= 4 ? block.readUInt32BE(0) : -1;
  if (n < 0) throw new SpdyProtocolError('header block truncated');
  off = 4;
  for (let i = 0; i < n; i++) {
    const name = take().toLowerCase();
    out[name] = take();
  }
  return out;
}

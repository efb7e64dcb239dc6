// A SPDY/3.1 session, server side, over any byte transport: a raw upgraded socket (kubectl <= 1.30)
// or the binary messages of a WebSocket (kubectl >= 1.31 tunnels SPDY that way). Streams are opened
// by the client (SYN_STREAM, with its headers); the application replies, writes, ends or resets them.
// This is what both k8s streaming protocols need: portforward.k8s.io (data/error stream pairs) and
// remotecommand (stdin/stdout/stderr/error/resize streams), which differ only in the stream headers.
//
// Flow control: every DATA frame received is credited back at once (stream and session
// WINDOW_UPDATE), since what arrives is handed on without buffering here. The peer's window is not
// enforced for sending: Go's spdystream, the only client of this, does not account for it either.
import { EventEmitter } from 'node:events';
import {
  controlFrame,
  dataFrame,
  FLAG_FIN,
  FrameReader,
  FrameType,
  parseStreamHeaders,
  parseSynStream,
  parseTwoWords,
  RstStatus,
  SpdyProtocolError,
  streamHeadersPayload,
  twoWords,
  type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './headerCodec.js';

/** What a session runs over. */
export interface ByteTransport {
  write(data: Buffer): void;
  end(): void;
  onData(cb: (data: Buffer) => void): void;
  onClose(cb: () => void): void;
}

/** DATA frames sent are at most this big, so one stream cannot hold the connection for long. */
const MAX_DATA_FRAME = 64 * 1024;

export class SpdyStream extends EventEmitter {
  private localFin = false;
  private remoteFin = false;
  private replied = false;
  private gone = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    /** The SYN_STREAM's headers, names lowercase. */
    readonly headers: Record<string, string>,
    remoteFin: boolean,
  ) {
    super();
    this.remoteFin = remoteFin;
  }

  /** SYN_REPLY; write() and end() send one first when the application has not. */
  reply(headers: Record<string, string> = {}): void {
    if (this.replied || this.gone) return;
    this.replied = true;
    this.session.sendHeaders(FrameType.SYN_REPLY, this.id, headers, 0);
  }

  write(data: Buffer): void {
    if (this.localFin || this.gone || data.length === 0) return;
    this.reply();
    for (let off = 0; off < data.length; off += MAX_DATA_FRAME) this.session.sendRaw(dataFrame(this.id, 0, data.subarray(off, off + MAX_DATA_FRAME)));
  }

  /** Half-closes our side (an empty DATA frame with FLAG_FIN). */
  end(): void {
    if (this.localFin || this.gone) return;
    this.reply();
    this.localFin = true;
    this.session.sendRaw(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
    this.maybeDone();
  }

  reset(status: number = RstStatus.CANCEL): void {
    if (this.gone) return;
    this.session.sendRaw(controlFrame(FrameType.RST_STREAM, 0, twoWords(this.id, status)));
    this.terminate();
  }

  get isOpen(): boolean {
    return !this.gone;
  }

  /** @internal a DATA frame from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.gone) return;
    if (data.length) this.emit('data', data);
    if (fin && !this.remoteFin) {
      this.remoteFin = true;
      this.emit('end');
      this.maybeDone();
    }
  }

  /** @internal RST_STREAM from the peer, or the session ending. */
  terminate(): void {
    if (this.gone) return;
    this.gone = true;
    if (!this.remoteFin) {
      this.remoteFin = true;
      this.emit('end');
    }
    this.session.forget(this.id);
    this.emit('close');
  }

  private maybeDone(): void {
    if (this.localFin && this.remoteFin && !this.gone) {
      this.gone = true;
      this.session.forget(this.id);
      this.emit('close');
    }
  }
}

/**
 * Emits 'stream' (SpdyStream) for every stream the client opens, and 'close' once the transport is
 * gone. A malformed frame ends the session with GOAWAY (PROTOCOL_ERROR).
 */
export class SpdySession extends EventEmitter {
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastClientStream = 0;
  private closed = false;
  /** Frames go out in the order they were made, header blocks (async zlib) included. */
  private outgoing: Promise<void> = Promise.resolve();
  /** Frames are handled in order too: a stream's DATA waits for its SYN_STREAM's headers. */
  private incoming: Promise<void> = Promise.resolve();

  constructor(private readonly transport: ByteTransport) {
    super();
    transport.onData((d) => this.feed(d));
    transport.onClose(() => this.shutdown());
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** GOAWAY, then the transport closes; open streams end. */
  close(): void {
    if (this.closed) return;
    this.sendRaw(controlFrame(FrameType.GOAWAY, 0, twoWords(this.lastClientStream, 0)));
    this.outgoing = this.outgoing.then(() => this.transport.end());
    this.shutdown();
  }

  /** @internal */
  sendRaw(frame: Buffer): void {
    this.enqueue(() => frame);
  }

  /** @internal SYN_REPLY or HEADERS with a compressed header block. */
  sendHeaders(type: number, streamId: number, headers: Record<string, string>, flags: number): void {
    this.enqueue(async () => controlFrame(type, flags, streamHeadersPayload(streamId, await this.compressor.compress(headers))));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private enqueue(make: () => Buffer | Promise<Buffer>): void {
    if (this.closed) return;
    this.outgoing = this.outgoing
      .then(async () => {
        this.transport.write(await make());
      })
      .catch(() => this.shutdown());
  }

  private feed(data: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.feed(data);
    } catch (err) {
      this.protocolError(err);
      return;
    }
    for (const f of frames) {
      this.incoming = this.incoming.then(() => (this.closed ? undefined : this.handle(f))).catch((err) => this.protocolError(err));
    }
  }

  private protocolError(err: unknown): void {
    if (this.closed) return;
    if (!(err instanceof SpdyProtocolError)) console.error(`tinylet: SPDY session: ${(err as Error)?.message ?? String(err)}`);
    this.sendRaw(controlFrame(FrameType.GOAWAY, 0, twoWords(this.lastClientStream, 1)));
    this.outgoing = this.outgoing.then(() => this.transport.end());
    this.shutdown();
  }

  private async handle(f: Frame): Promise<void> {
    if (f.kind === 'data') {
      const stream = this.streams.get(f.streamId);
      if (!stream) {
        this.sendRaw(controlFrame(FrameType.RST_STREAM, 0, twoWords(f.streamId, RstStatus.INVALID_STREAM)));
        return;
      }
      if (f.data.length) {
        this.sendRaw(controlFrame(FrameType.WINDOW_UPDATE, 0, twoWords(f.streamId, f.data.length)));
        this.sendRaw(controlFrame(FrameType.WINDOW_UPDATE, 0, twoWords(0, f.data.length)));
      }
      stream.receive(f.data, (f.flags & FLAG_FIN) !== 0);
      return;
    }
    switch (f.type) {
      case FrameType.SYN_STREAM: {
        const syn = parseSynStream(f.payload);
        // Every header block goes through the one inflate context, even a stream refused below.
        const headers = await this.decompressor.decompress(syn.headerBlock);
        if (syn.streamId % 2 !== 1 || syn.streamId <= this.lastClientStream) throw new SpdyProtocolError(`stream id ${syn.streamId} out of order`);
        this.lastClientStream = syn.streamId;
        const stream = new SpdyStream(this, syn.streamId, headers, (f.flags & FLAG_FIN) !== 0);
        this.streams.set(syn.streamId, stream);
        this.emit('stream', stream);
        return;
      }
      case FrameType.HEADERS: {
        const h = parseStreamHeaders(f.payload);
        await this.decompressor.decompress(h.headerBlock);
        if ((f.flags & FLAG_FIN) !== 0) this.streams.get(h.streamId)?.receive(Buffer.alloc(0), true);
        return;
      }
      case FrameType.RST_STREAM: {
        const [id] = parseTwoWords(f.payload, 'RST_STREAM');
        this.streams.get(id)?.terminate();
        return;
      }
      case FrameType.PING:
        // Client pings have odd ids; echo them as the spec says.
        if (f.payload.length >= 4) this.sendRaw(controlFrame(FrameType.PING, 0, f.payload.subarray(0, 4)));
        return;
      case FrameType.GOAWAY:
        this.close();
        return;
      case FrameType.SYN_REPLY: {
        // Streams are never opened by this side: a reply can only be a peer's mistake, compressor state kept.
        await this.decompressor.decompress(parseStreamHeaders(f.payload).headerBlock);
        return;
      }
      default:
        // SETTINGS, WINDOW_UPDATE (see the header comment) and unknown types are ignored, as the spec asks.
        return;
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.terminate();
    this.outgoing = this.outgoing.then(() => {
      this.compressor.close();
      this.decompressor.close();
    });
    this.emit('close');
  }
}

// A small RFC 6455 WebSocket endpoint (both sides), enough for the Kubernetes exec protocol
// (channel.k8s.io subprotocols: binary messages whose first byte is the stream number).
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export function newKey(): string {
  return randomBytes(16).toString('base64');
}

const OP_CONT = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

/** Exec input and resize messages are small; a bigger frame is refused rather than buffered. */
const MAX_MESSAGE = 16 * 1024 * 1024;

class FrameError extends Error {}

/**
 * One WebSocket connection over an upgraded socket. Clients mask what they send (`mask: true`),
 * servers do not. Emits 'message' (Buffer) and 'close'.
 */
export class WebSocket extends EventEmitter {
  private buf = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  constructor(
    readonly socket: Duplex,
    private readonly mask: boolean,
    head?: Buffer,
  ) {
    super();
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('close', () => this.finish());
    // The HTTP server allows half-open sockets: a client that dies without a close frame only ends
    // its side, and the session (an exec's command, an attach) must not outlive it.
    socket.on('end', () => {
      socket.destroy();
      this.finish();
    });
    socket.on('error', () => this.finish());
    if (head?.length) setImmediate(() => this.receive(head));
  }

  /**
   * Runs in the socket's 'data' listener: a malformed frame or a failing 'message' handler closes
   * this connection (1002 protocol error, 1011 internal error) and goes no further.
   */
  private receive(d: Buffer): void {
    try {
      this.onData(d);
    } catch (err) {
      const code = err instanceof FrameError ? 1002 : 1011;
      if (code === 1011) console.error(`tinylet: WebSocket: ${(err as Error)?.message ?? String(err)}`);
      try {
        this.close(code);
      } catch {
        this.socket.destroy();
      }
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(data: Buffer, opcode = OP_BINARY): void {
    if (this.closed) return;
    const len = data.length;
    const header: number[] = [0x80 | opcode];
    const maskBit = this.mask ? 0x80 : 0;
    if (len < 126) header.push(maskBit | len);
    else if (len < 65536) header.push(maskBit | 126, len >> 8, len & 0xff);
    else {
      header.push(maskBit | 127, 0, 0, 0, 0);
      header.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
    }
    let payload = data;
    const parts: Buffer[] = [Buffer.from(header)];
    if (this.mask) {
      const key = randomBytes(4);
      payload = Buffer.from(data);
      for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
      parts.push(key);
    }
    parts.push(payload);
    this.socket.write(Buffer.concat(parts));
  }

  close(code = 1000): void {
    if (this.closed) return;
    this.send(Buffer.from([code >> 8, code & 0xff]), OP_CLOSE);
    this.socket.end();
    this.finish();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (len > MAX_MESSAGE || this.fragments.reduce((n, f) => n + f.length, 0) + len > MAX_MESSAGE) throw new FrameError(`frame of ${len} bytes is over the ${MAX_MESSAGE}-byte limit`);
      const masked = (b1 & 0x80) !== 0;
      const need = off + (masked ? 4 : 0) + len;
      if (this.buf.length < need) return;
      let payload = Buffer.from(this.buf.subarray(off + (masked ? 4 : 0), need));
      if (masked) {
        const key = this.buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
      }
      this.buf = this.buf.subarray(need);
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === OP_CLOSE) {
        if (!this.closed) {
          this.send(payload.subarray(0, 2), OP_CLOSE);
          this.socket.end();
        }
        this.finish();
        return;
      }
      if (opcode === OP_PING) {
        this.send(payload, OP_PONG);
        continue;
      }
      if (opcode === OP_PONG) continue;
      if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONT) {
        this.fragments.push(payload);
        if (fin) {
          payload = Buffer.concat(this.fragments);
          this.fragments = [];
          this.emit('message', payload);
        }
      }
    }
  }
}

// A minimal SPDY/3.1 client for tests, built on the server's own frame and header codecs: the
// `Upgrade: SPDY/3.1` request over the agent's Unix socket, then client streams (odd ids) with
// headers, data written and half-closed, and per stream what came back (bytes, FIN, RST).
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { controlFrame, dataFrame, FLAG_FIN, FrameReader, FrameType, parseStreamHeaders, parseTwoWords, synStreamPayload } from '../../src/server/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor } from '../../src/server/spdy/headerCodec.js';

export interface ClientStream {
  id: number;
  chunks: Buffer[];
  text(): string;
  /** Resolves when the server's FIN or RST_STREAM arrived (or the connection ended). */
  ended: Promise<'fin' | 'reset' | 'gone'>;
  replied: Promise<void>;
  write(data: Buffer | string, fin?: boolean): void;
  end(): void;
}

export interface SpdyClient {
  socket: Duplex;
  headers: Record<string, string | string[] | undefined>;
  open(headers: Record<string, string>): Promise<ClientStream>;
  /** Raw bytes onto the connection (a malformed frame, say). */
  raw(data: Buffer): void;
  goaway: Promise<void>;
  closed: Promise<void>;
  close(): void;
}

export interface UpgradeFailure {
  status: number;
  body: string;
}

/** Upgrades `path` to SPDY/3.1 offering `protocols` (one X-Stream-Protocol-Version header each). */
export function spdyConnect(socketPath: string, path: string, protocols: string[]): Promise<SpdyClient | UpgradeFailure> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' };
    if (protocols.length) headers['X-Stream-Protocol-Version'] = protocols;
    const req = request({ socketPath, path, headers });
    req.setTimeout(20_000, () => req.destroy(new Error(`${path}: no answer`)));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('upgrade', (res, socket, head) => {
      req.setTimeout(0);
      resolve(client(socket, head, res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

function client(socket: Duplex, head: Buffer, headers: Record<string, string | string[] | undefined>): SpdyClient {
  const reader = new FrameReader();
  const compressor = new HeaderCompressor();
  const decompressor = new HeaderDecompressor();
  const streams = new Map<number, { s: ClientStream; done: (how: 'fin' | 'reset' | 'gone') => void; reply: () => void }>();
  let nextId = 1;
  let outgoing: Promise<void> = Promise.resolve();
  let onGoaway!: () => void;
  const goaway = new Promise<void>((r) => (onGoaway = r));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  const send = (make: () => Buffer | Promise<Buffer>) => {
    outgoing = outgoing.then(async () => {
      if (!socket.destroyed) socket.write(await make());
    });
  };
  const onData = (d: Buffer) => {
    for (const f of reader.feed(d)) {
      if (f.kind === 'data') {
        const st = streams.get(f.streamId);
        if (!st) continue;
        if (f.data.length) st.s.chunks.push(f.data);
        if (f.flags & FLAG_FIN) st.done('fin');
      } else if (f.type === FrameType.SYN_REPLY) {
        const { streamId, headerBlock } = parseStreamHeaders(f.payload);
        void decompressor.decompress(headerBlock).catch(() => undefined);
        streams.get(streamId)?.reply();
      } else if (f.type === FrameType.RST_STREAM) {
        const [id] = parseTwoWords(f.payload, 'RST_STREAM');
        streams.get(id)?.done('reset');
      } else if (f.type === FrameType.GOAWAY) onGoaway();
    }
  };
  socket.on('data', onData);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const st of streams.values()) st.done('gone');
    compressor.close();
    decompressor.close();
  });
  if (head.length) onData(head);
  return {
    socket,
    headers,
    goaway,
    closed,
    raw: (data) => send(() => data),
    close: () => socket.destroy(),
    open(h) {
      const id = nextId;
      nextId += 2;
      let done!: (how: 'fin' | 'reset' | 'gone') => void;
      let reply!: () => void;
      const ended = new Promise<'fin' | 'reset' | 'gone'>((r) => (done = r));
      const replied = new Promise<void>((r) => (reply = r));
      const s: ClientStream = {
        id,
        chunks: [],
        text: () => Buffer.concat(s.chunks).toString(),
        ended,
        replied,
        write: (data, fin = false) => send(() => dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data))),
        end: () => send(() => dataFrame(id, FLAG_FIN, Buffer.alloc(0))),
      };
      streams.set(id, { s, done, reply });
      send(async () => controlFrame(FrameType.SYN_STREAM, 0, synStreamPayload(id, 0, 0, await compressor.compress(h))));
      // client-go's CreateStream waits for the reply before it opens the next stream.
      return Promise.race([replied, ended]).then(() => s);
    },
  };
}

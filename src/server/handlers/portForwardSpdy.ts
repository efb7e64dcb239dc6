// pods/portforward over SPDY/3.1 (kubelet's portforward/httpstream.go, protocol portforward.k8s.io):
// for each TCP connection the client opens two streams with the same requestID header, streamType
// "error" and "data", and the port header. Once both are there the server connects to localhost:port
// in the pod and copies bytes over the data stream; a failure is written as text on the error stream.
// SPDY reaches here over a raw HTTP upgrade (kubectl <= 1.30) or inside a WebSocket whose subprotocol
// is SPDY/3.1+portforward.k8s.io (kubectl >= 1.31, client-go's tunneling dialer: the WebSocket's
// binary messages carry the SPDY byte stream, with no inner HTTP upgrade).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from '../websocket.js';
import { RstStatus } from '../spdy/frames.js';
import { spdyUpgradeResponse } from '../spdy/handshake.js';
import { type ByteTransport, SpdySession, type SpdyStream } from '../spdy/session.js';
import { socketTransport, websocketTransport } from '../spdy/transport.js';
import { openRelay, parsePort, type PortForwardTarget, type Relay } from './portForwardTarget.js';

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const STREAM_PROTOCOL = 'portforward.k8s.io';

/** `Upgrade: SPDY/3.1` offering portforward.k8s.io in X-Stream-Protocol-Version. */
export function wantsSpdyUpgrade(req: IncomingMessage): boolean {
  const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
  return String(req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1' && versions.includes(STREAM_PROTOCOL);
}

/** Called after the request was checked: answers the upgrade (raw SPDY) and serves the session. */
export function serveSpdyPortForward(socket: Duplex, head: Buffer, target: PortForwardTarget, tunneled: boolean): void {
  let transport: ByteTransport;
  if (tunneled) {
    transport = websocketTransport(new WebSocket(socket, false, head));
  } else {
    socket.write(spdyUpgradeResponse(STREAM_PROTOCOL));
    transport = socketTransport(socket, head);
  }
  servePairs(new SpdySession(transport), target);
}

interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
}

function servePairs(session: SpdySession, target: PortForwardTarget): void {
  const pairs = new Map<string, StreamPair>();
  const relays = new Set<Relay>();
  session.on('stream', (stream: SpdyStream) => {
    const type = stream.headers.streamtype;
    const requestId = stream.headers.requestid;
    // portforward.k8s.io v1 needs both; the kubelet rejects such a stream.
    if ((type !== 'data' && type !== 'error') || requestId === undefined) {
      stream.reset(RstStatus.PROTOCOL_ERROR);
      return;
    }
    stream.reply();
    const pair = pairs.get(requestId) ?? {};
    if (pair[type]) {
      stream.reset(RstStatus.PROTOCOL_ERROR);
      return;
    }
    pair[type] = stream;
    pairs.set(requestId, pair);
    if (pair.data && pair.error) {
      pairs.delete(requestId);
      forward(pair.data, pair.error, target, relays);
    }
  });
  session.on('close', () => {
    for (const r of relays) r.kill();
  });
}

function forward(data: SpdyStream, error: SpdyStream, target: PortForwardTarget, relays: Set<Relay>): void {
  let port: number;
  try {
    port = parsePort(data.headers.port ?? '');
  } catch (err) {
    error.write(Buffer.from(`error forwarding port ${data.headers.port ?? ''} to pod ${target.podId}, uid : ${(err as Error).message}`));
    error.end();
    data.end();
    return;
  }
  const relay = openRelay(target, port, {
    data: (chunk) => data.write(chunk),
    done: (why) => {
      relays.delete(relay);
      if (why) error.write(Buffer.from(why));
      error.end();
      data.end();
    },
  });
  relays.add(relay);
  data.on('data', (chunk: Buffer) => relay.write(chunk));
  data.on('end', () => relay.end());
  // A reset (the client gave up on this connection) or the session ending stops the relay; after a
  // normal end (both sides' FIN) the relay has already exited.
  data.on('close', () => relay.kill());
}

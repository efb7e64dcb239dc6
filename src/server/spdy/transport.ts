// The two byte transports a SPDY session runs over: the raw socket of an `Upgrade: SPDY/3.1`
// (kubectl <= 1.30) and the binary messages of a WebSocket (kubectl >= 1.31 tunnels SPDY that way).
// Both streaming protocols use them: portforward.k8s.io and remotecommand (exec, attach).
import type { Duplex } from 'node:stream';
import type { WebSocket } from '../websocket.js';
import type { ByteTransport } from './session.js';

/** An upgraded socket; `head` is what the HTTP parser read past the request. */
export function socketTransport(socket: Duplex, head: Buffer): ByteTransport {
  return {
    write: (d) => {
      if (!socket.destroyed && socket.writable) socket.write(d);
    },
    end: () => socket.end(),
    onData: (cb) => {
      socket.on('data', cb);
      if (head.length) setImmediate(() => cb(head));
    },
    onClose: (cb) => {
      socket.on('close', cb);
      // The HTTP server's sockets allow half-open: a client that died only sends FIN, and 'close'
      // would wait for our side. SPDY never half-closes the connection, so FIN means gone.
      socket.on('end', () => socket.destroy());
    },
  };
}

/** A WebSocket whose binary messages carry the SPDY byte stream (no inner HTTP upgrade). */
export function websocketTransport(ws: WebSocket): ByteTransport {
  return {
    write: (d) => ws.send(d),
    end: () => ws.close(),
    onData: (cb) => ws.on('message', cb),
    onClose: (cb) => {
      ws.on('close', cb);
      ws.socket.on('end', () => ws.socket.destroy());
    },
  };
}

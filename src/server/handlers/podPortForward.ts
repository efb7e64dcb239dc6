// pods/{name}/portforward. Two wire protocols reach the same relays (portForwardTarget.ts):
// - the WebSocket channel protocol of @kubernetes/client-node and the Python client (kubelet's
//   portforward/websocket.go): `?ports=` picks the ports up front, port i gets data channel 2i and
//   error channel 2i+1, and the server's first message on each is the port, 2 bytes little-endian;
//   one TCP connection per port, the WebSocket closes once every connection is over;
// - SPDY/3.1 with the portforward.k8s.io streams (portForwardSpdy.ts), for kubectl.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServices } from '../context.js';
import { sendSocketError } from '../respond.js';
import { ApiError, badRequest } from '../status.js';
import { acceptKey, WebSocket } from '../websocket.js';
import { serveSpdyPortForward, SPDY_TUNNEL_PROTOCOL, wantsSpdyUpgrade } from './portForwardSpdy.js';
import { openRelay, parsePorts, type Relay, resolveTarget } from './portForwardTarget.js';

const BINARY_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io', 'channel.k8s.io'];
const BASE64_PROTOCOL = 'v4.base64.channel.k8s.io';

function websocketAccept(req: IncomingMessage, protocol: string | undefined): string {
  return ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}`, ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []), '', ''].join('\r\n');
}

/** Handles an upgrade on .../pods/{name}/portforward; errors before the upgrade are HTTP Status replies. */
export function handlePortForwardUpgrade(services: ApiServices, req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): void {
  try {
    const isWebSocket = String(req.headers.upgrade).toLowerCase() === 'websocket' && !!req.headers['sec-websocket-key'];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!isWebSocket && !wantsSpdyUpgrade(req)) throw badRequest('pods/portforward needs an upgrade: WebSocket (v4.channel.k8s.io, or SPDY/3.1+portforward.k8s.io) or SPDY/3.1 with X-Stream-Protocol-Version: portforward.k8s.io');
    const target = resolveTarget(services, namespace, name);
    if (!isWebSocket) return serveSpdyPortForward(socket, head, target, false);
    if (offered.includes(SPDY_TUNNEL_PROTOCOL)) {
      socket.write(websocketAccept(req, SPDY_TUNNEL_PROTOCOL));
      return serveSpdyPortForward(socket, head, target, true);
    }
    const ports = parsePorts(query);
    if (ports.length === 0) throw badRequest('query parameter "ports" is required');
    const base64 = offered.includes(BASE64_PROTOCOL) && !offered.some((p) => BINARY_PROTOCOLS.includes(p));
    const protocol = base64 ? BASE64_PROTOCOL : BINARY_PROTOCOLS.find((p) => offered.includes(p));
    if (offered.length > 0 && !protocol) throw badRequest(`unsupported portforward subprotocol; this server speaks ${[...BINARY_PROTOCOLS, BASE64_PROTOCOL, SPDY_TUNNEL_PROTOCOL].join(', ')}`);
    socket.write(websocketAccept(req, protocol));
    serveChannels(new WebSocket(socket, false, head), ports, target, base64);
  } catch (err) {
    sendSocketError(socket, err instanceof ApiError ? err : badRequest((err as Error)?.message ?? String(err)));
  }
}

function serveChannels(ws: WebSocket, ports: number[], target: ReturnType<typeof resolveTarget>, base64: boolean): void {
  const send = (channel: number, data: Buffer) => {
    if (base64) ws.send(Buffer.from(String.fromCharCode(48 + channel) + data.toString('base64')), 1);
    else ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  let open = ports.length;
  const relays: Relay[] = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    return openRelay(target, port, {
      data: (chunk) => send(2 * i, chunk),
      done: (error) => {
        if (error) send(2 * i + 1, Buffer.from(error));
        // As the kubelet: the connection ends once every port's forward has returned.
        if (--open === 0) ws.close();
      },
    });
  });
  ws.on('message', (m: Buffer) => {
    let channel: number;
    let payload: Buffer;
    if (base64) {
      channel = m[0]! - 48;
      payload = Buffer.from(m.subarray(1).toString(), 'base64');
    } else {
      channel = m[0]!;
      payload = m.subarray(1);
    }
    // Input only on a data channel; anything else (a client's error channel, a stray number) is dropped.
    if (m.length === 0 || channel % 2 !== 0 || channel / 2 >= relays.length || payload.length === 0) return;
    relays[channel / 2]!.write(payload);
  });
  ws.on('close', () => relays.forEach((r) => r.kill()));
  // A client that went away without a close frame only sends FIN (the HTTP server allows half-open).
  ws.socket.on('end', () => ws.socket.destroy());
}

// What pods/exec and pods/attach share: the request's container resolved as the API server and the
// kubelet do it, then the WebSocket upgrade to a channel.k8s.io subprotocol (binary messages whose
// first byte is the stream: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, v5's 255 = close one).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../api/types.js';
import type { ContainerRecord } from '../../kubelet/containerRecord.js';
import type { ContainerProcess } from '../../runtime/launch.js';
import type { ApiServices } from '../context.js';
import { sendSocketError } from '../respond.js';
import { ApiError, badRequest, notFound } from '../status.js';
import { acceptKey, WebSocket } from '../websocket.js';
import { pickContainer } from './pickContainer.js';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export interface RunningContainer {
  pod: Pod;
  name: string;
  record: ContainerRecord;
  process: ContainerProcess;
}

/** The pod, the container (implicit when there is one) and its running process, or the API's error. */
export function runningContainer(services: ApiServices, namespace: string, name: string, query: URLSearchParams): RunningContainer {
  const pod = services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  const container = pickContainer(pod, query.get('container'));
  const record = services.kubelet.getWorker(namespace, name)?.records.find((r) => r.name === container);
  if (!record?.process) throw badRequest(`container ${container} is not valid for pod ${name}: it is not running`);
  return { pod, name: container, record, process: record.process };
}

export interface ChannelSession {
  ws: WebSocket;
  protocol: string;
  /** One message on a stream (never after the connection closed). */
  out: (channel: number, data: Buffer | string) => void;
  /** The final status on channel 3, then the close. */
  finish: (status: object) => void;
}

/**
 * Answers an upgrade: `resolve` runs first, so a wrong container or a stopped one is the error the
 * client sees even when it asked for SPDY (kubectl 1.29+ falls back to SPDY after a failed WebSocket
 * upgrade, and would otherwise show only our refusal of SPDY, not the reason). Errors before the
 * upgrade are plain HTTP Status replies; returns undefined then.
 */
export function upgradeToChannels<T>(req: IncomingMessage, socket: Duplex, head: Buffer, what: string, resolve: () => T): { session: ChannelSession; value: T } | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const protocol = CHANNEL_PROTOCOLS.find((p) => offered.includes(p));
  let value: T;
  try {
    value = resolve();
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
      throw badRequest(`tinylet serves ${what} over WebSocket (v5/v4.channel.k8s.io), not SPDY: use kubectl 1.29 or later${what === 'exec' ? ', or `tinylet exec`' : ''}`);
    }
    if (!protocol) throw badRequest(`unsupported ${what} subprotocol; this server speaks ${CHANNEL_PROTOCOLS.join(', ')}`);
  } catch (err) {
    sendSocketError(socket, err instanceof ApiError ? err : badRequest((err as Error)?.message ?? String(err)));
    return undefined;
  }
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}`, `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'),
  );
  const ws = new WebSocket(socket, false, head);
  const out = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  let finished = false;
  const finish = (status: object) => {
    if (finished) return;
    finished = true;
    out(STATUS, JSON.stringify(status));
    ws.close();
  };
  return { session: { ws, protocol, out, finish }, value };
}

export const SUCCESS_STATUS = { metadata: {}, status: 'Success' };

/** A resize message's {Width, Height}, or undefined for a malformed one (ignored, as the kubelet does). */
export function parseResize(data: Buffer): { cols: number; rows: number } | undefined {
  try {
    const { Width, Height } = JSON.parse(data.toString()) as { Width: unknown; Height: unknown };
    if (typeof Width === 'number' && typeof Height === 'number' && Width > 0 && Height > 0 && Width < 65536 && Height < 65536) return { cols: Math.floor(Width), rows: Math.floor(Height) };
  } catch {
    /* malformed */
  }
  return undefined;
}

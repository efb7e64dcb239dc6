// What pods/exec and pods/attach share: the request's container resolved as the API server and the
// kubelet do it, and the WebSocket transport of their streams, a channel.k8s.io subprotocol (binary
// messages whose first byte is the stream: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, v5's
// 255 = close one).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../api/types.js';
import type { ContainerRecord } from '../../kubelet/containerRecord.js';
import type { ContainerProcess } from '../../runtime/launch.js';
import type { ApiServices } from '../context.js';
import { badRequest, notFound } from '../status.js';
import { acceptKey, WebSocket } from '../websocket.js';
import type { CommandStreams } from './commandStreams.js';
import { drainedCommandStreams } from './connectionDrain.js';
import { PendingInput } from './pendingInput.js';
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

/** `Upgrade: websocket` with a key (a SPDY/3.1 upgrade is the other kind exec and attach take). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.upgrade).toLowerCase() === 'websocket' && !!req.headers['sec-websocket-key'];
}

/**
 * Answers a checked WebSocket upgrade with `protocol` and maps its messages to CommandStreams: the
 * first byte of a binary message is the stream, the status goes on channel 3 before the close.
 */
export function acceptChannelStreams(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): CommandStreams {
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}`, `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'),
  );
  const ws = new WebSocket(socket, false, head);
  const out = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  const input = new PendingInput();
  ws.on('message', (m: Buffer) => {
    if (m.length === 0) return;
    if (m[0] === STDIN) input.stdin(m.subarray(1));
    else if (m[0] === RESIZE) {
      const size = parseResize(m.subarray(1));
      if (size) input.resize(size);
    }
    // v5 only: the client closed one of its streams; stdin is the only one it writes.
    else if (m[0] === CLOSE && m[1] === STDIN) input.stdinEnd();
  });
  ws.on('close', () => input.close());
  return drainedCommandStreams(socket, protocol, input, {
    write: (stream, d) => out(stream === 'stdout' ? STDOUT : STDERR, d),
    end: (status) => {
      out(STATUS, JSON.stringify(status));
      ws.close();
    },
  });
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** A resize message's {Width, Height}, or undefined for a malformed one (ignored, as the kubelet does). */
export function parseResize(data: Buffer): TerminalSize | undefined {
  try {
    const { Width, Height } = JSON.parse(data.toString()) as { Width: unknown; Height: unknown };
    if (typeof Width === 'number' && typeof Height === 'number' && Width > 0 && Height > 0 && Width < 65536 && Height < 65536) return { cols: Math.floor(Width), rows: Math.floor(Height) };
  } catch {
    /* malformed */
  }
  return undefined;
}

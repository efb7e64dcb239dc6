// What pods/exec and pods/attach see of a client connection, whichever wire protocol carries it:
// the WebSocket channel protocol (v5/v4.channel.k8s.io, channelStream.ts) or SPDY/3.1 streams
// (remotecommand's v4/v3/v2/channel.k8s.io, remoteCommandSpdy.ts). The handlers own the process
// plumbing once; the transports only map bytes to stdin/stdout/stderr/resize/status.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendSocketError } from '../respond.js';
import { isSpdyUpgrade, negotiateStreamProtocol } from '../spdy/handshake.js';
import { ApiError, badRequest } from '../status.js';
import { acceptChannelStreams, CHANNEL_PROTOCOLS, isWebSocketUpgrade, type TerminalSize } from './channelStream.js';
import { acceptSpdyCommandStreams, SPDY_COMMAND_PROTOCOLS } from './remoteCommandSpdy.js';

/** The streams a session has, as the kubelet's remotecommand.NewOptions decides them. */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  /** Never with a TTY: the terminal carries both outputs on stdout. */
  stderr: boolean;
  tty: boolean;
}

/** The final status of a session: a metav1.Status (exit code in details.causes for NonZeroExitCode). */
export interface CommandStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
  code?: number;
}

export const SUCCESS_STATUS: CommandStatus = { metadata: {}, status: 'Success' };

/** What the client sends; each callback runs in an event listener and must not throw. */
export interface CommandInput {
  stdin?(data: Buffer): void;
  /** The client's stdin ended (a SPDY stdin stream's FIN, the v5 WebSocket close of channel 0). */
  stdinEnd?(): void;
  resize?(size: TerminalSize): void;
  /** The connection is gone: the client left, or the session finished. Called once. */
  close?(): void;
}

export interface CommandStreams {
  /** The negotiated subprotocol, e.g. v4.channel.k8s.io. */
  readonly protocol: string;
  /** Output; false once the client's connection is backed up: stop the source until onDrain. */
  stdout(data: Buffer | string): boolean;
  stderr(data: Buffer | string): boolean;
  /** Calls `cb` once the connection took what is queued (at once when it is not backed up, or gone). */
  onDrain(cb: () => void): void;
  /** Sends the status the way the protocol does, ends the output streams and closes. Only the first call counts. */
  finish(status: CommandStatus): void;
  /**
   * Stops reading the client's connection (TCP backpressure: SPDY clients do not honour stream
   * windows) until resumeInput(); finish() resumes it, so the client's close is still seen.
   */
  pauseInput(): void;
  resumeInput(): void;
  /** Registers the input callbacks; input that arrived before is delivered now. */
  listen(input: CommandInput): void;
}

/**
 * Answers an exec or attach upgrade: `resolve` runs first, so a wrong container or a stopped one is
 * the error the client sees whatever it upgrades to (kubectl 1.29+ falls back to SPDY after a failed
 * WebSocket upgrade and would otherwise show only the fallback's failure). Errors before the upgrade
 * are plain HTTP Status replies. `start` gets the streams once the session is set up (for SPDY, once
 * the client opened every stream it must open).
 */
export function upgradeForCommand<T extends { streams: StreamOptions }>(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  what: 'exec' | 'attach',
  resolve: () => T,
  start: (streams: CommandStreams, value: T) => void,
): void {
  let value: T;
  let accept: () => void;
  try {
    value = resolve();
    if (isWebSocketUpgrade(req)) {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      const protocol = CHANNEL_PROTOCOLS.find((p) => offered.includes(p));
      if (!protocol) throw badRequest(`unsupported ${what} subprotocol; this server speaks ${CHANNEL_PROTOCOLS.join(', ')}`);
      accept = () => start(acceptChannelStreams(req, socket, head, protocol), value);
    } else if (isSpdyUpgrade(req)) {
      const protocol = negotiateStreamProtocol(req, SPDY_COMMAND_PROTOCOLS);
      accept = () => acceptSpdyCommandStreams(socket, head, protocol, value.streams, (streams) => start(streams, value));
    } else {
      throw badRequest(`pods/${what} needs an upgrade: WebSocket (${CHANNEL_PROTOCOLS.join(', ')}) or SPDY/3.1 (${SPDY_COMMAND_PROTOCOLS.join(', ')})`);
    }
  } catch (err) {
    sendSocketError(socket, err instanceof ApiError ? err : badRequest((err as Error)?.message ?? String(err)));
    return;
  }
  accept();
}

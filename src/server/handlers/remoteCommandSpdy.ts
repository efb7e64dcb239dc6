// pods/exec and pods/attach over SPDY/3.1, as the kubelet's remotecommand/httpstream.go serves them
// (kubectl <= 1.28 speaks only this; 1.29+ falls back to it). After the 101 the client opens one
// stream per stdio stream it asked for, told apart by the `streamType` header: error, stdin, stdout,
// stderr, and resize when it has a TTY. The session starts once all the expected streams are there
// (1 for error + one per requested stream + resize for a TTY on v3/v4), or is dropped after 30 s.
// The status goes on the error stream: v4 a JSON metav1.Status (exit code in details.causes),
// v3/v2/channel.k8s.io the message text of a failure and nothing for success. Resize messages are
// JSON TerminalSize objects, newline-separated (Go's json.Encoder).
import type { Duplex } from 'node:stream';
import { RstStatus } from '../spdy/frames.js';
import { spdyUpgradeResponse } from '../spdy/handshake.js';
import { SpdySession, type SpdyStream } from '../spdy/session.js';
import { socketTransport } from '../spdy/transport.js';
import { parseResize } from './channelStream.js';
import type { CommandStatus, CommandStreams, StreamOptions } from './commandStreams.js';
import { drainedCommandStreams } from './connectionDrain.js';
import { PendingInput } from './pendingInput.js';

export const V4 = 'v4.channel.k8s.io';
export const V3 = 'v3.channel.k8s.io';
export const V2 = 'v2.channel.k8s.io';
export const V1 = 'channel.k8s.io';
/** remotecommand's SupportedStreamingProtocols, in the kubelet's order. */
export const SPDY_COMMAND_PROTOCOLS = [V4, V3, V2, V1];

/** The kubelet's DefaultStreamCreationTimeout. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;
/**
 * After the status the client closes the connection itself (client-go's executor does once it read
 * every stream to its end). Closing first could drop frames the client has read but not yet handled
 * (spdystream hands frames to workers and forgets them when the socket ends), so we only close after this.
 */
const CLIENT_CLOSE_GRACE_MS = 10_000;
/** Streams a client may open before the session starts (at most 5 are needed; unknown types are replied to). */
const MAX_STREAMS_BEFORE_START = 16;
/** A resize line longer than this is not a TerminalSize: the stream is dropped. */
const MAX_RESIZE_LINE = 4096;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const STREAM_TYPES: readonly string[] = ['error', 'stdin', 'stdout', 'stderr', 'resize'];

/** How many streams the client opens for these options under `protocol` (createHTTPStreamStreams). */
export function expectedStreams(protocol: string, options: StreamOptions): number {
  const resizing = protocol === V4 || protocol === V3;
  return 1 + Number(options.stdin) + Number(options.stdout) + Number(options.stderr) + Number(options.tty && resizing);
}

/** The error stream's bytes for a final status under `protocol` (v4WriteStatusFunc / v1WriteStatusFunc). */
export function statusBytes(protocol: string, status: CommandStatus): Buffer {
  if (protocol === V4) return Buffer.from(JSON.stringify(status));
  return Buffer.from(status.status === 'Success' ? '' : (status.message ?? 'unknown error'));
}

/**
 * Answers a checked `Upgrade: SPDY/3.1` with `protocol`, waits for the client's streams and calls
 * `start` with them. Nothing here throws into the caller after the 101.
 */
export function acceptSpdyCommandStreams(socket: Duplex, head: Buffer, protocol: string, options: StreamOptions, start: (streams: CommandStreams) => void): void {
  socket.write(spdyUpgradeResponse(protocol));
  const session = new SpdySession(socketTransport(socket, head));
  const input = new PendingInput();
  const streams: Partial<Record<StreamType, SpdyStream>> = {};
  const want = expectedStreams(protocol, options);
  let received = 0;
  let started = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // Unref'd: a session's timers never keep a stopping agent's process alive.
  const creationTimer = setTimeout(() => session.close(), STREAM_CREATION_TIMEOUT_MS).unref();
  let opened = 0;
  session.on('close', () => {
    clearTimeout(creationTimer);
    clearTimeout(graceTimer);
    input.close();
  });

  session.on('stream', (stream: SpdyStream) => {
    const type = stream.headers.streamtype ?? '';
    // A client opening stream after stream without the ones it must open is only holding the agent's memory.
    if (!started && ++opened > MAX_STREAMS_BEFORE_START) {
      session.close();
      return;
    }
    // Streams past the expected set, or a second one of a type, would never be read: refused.
    if (started || (STREAM_TYPES.includes(type) && streams[type as StreamType])) {
      stream.reset(RstStatus.REFUSED_STREAM);
      return;
    }
    // As the kubelet: every stream gets its reply, an unknown type is not counted and not read.
    stream.reply();
    if (!STREAM_TYPES.includes(type)) return;
    streams[type as StreamType] = stream;
    wire(type as StreamType, stream);
    if (++received < want) return;
    started = true;
    clearTimeout(creationTimer);
    if (protocol === V1) {
      // What 1.0 kubelets did and remotecommand still does for channel.k8s.io: the error stream is
      // reset once the streams are there, and the server's half of stdin is closed.
      streams.error?.reset();
      streams.stdin?.end();
    }
    start(commandStreams());
  });

  function wire(type: StreamType, stream: SpdyStream): void {
    if (type === 'stdin') {
      stream.on('data', (d: Buffer) => input.stdin(d));
      stream.on('end', () => input.stdinEnd());
    } else if (type === 'resize') {
      let line = '';
      stream.on('data', (d: Buffer) => {
        line += d.toString();
        for (let nl = line.indexOf('\n'); nl >= 0; nl = line.indexOf('\n')) {
          const size = parseResize(Buffer.from(line.slice(0, nl)));
          line = line.slice(nl + 1);
          if (size) input.resize(size);
        }
        if (line.length > MAX_RESIZE_LINE) stream.reset(RstStatus.PROTOCOL_ERROR);
      });
    }
    // The client writes nothing on error, stdout and stderr; what it might send there is dropped.
  }

  function commandStreams(): CommandStreams {
    const write = (stream: SpdyStream | undefined, d: Buffer | string) => stream?.write(Buffer.isBuffer(d) ? d : Buffer.from(d));
    // Frames reach the socket a microtask after write(): its buffer lags by at most one chunk.
    return drainedCommandStreams(socket, protocol, input, {
      write: (stream, d) => write(streams[stream], d),
      end: (status) => {
        write(streams.error, statusBytes(protocol, status));
        for (const s of Object.values(streams)) s?.end();
        // The handler is done with the input: it ends now, not when the client gets round to closing.
        input.close();
        graceTimer = setTimeout(() => session.close(), CLIENT_CLOSE_GRACE_MS).unref();
      },
    });
  }
}

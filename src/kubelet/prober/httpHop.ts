import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { joinHostPort } from './target.js';

/** One request of a probe: where it goes and what it sends. */
export interface Hop {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Absolute path and query. */
  path: string;
  /** The Host header: the URL's host and port unless the probe sets one. */
  host: string;
  /** The other header lines (see probeHeaders). */
  lines: string;
  /** The request bytes, built on first use. */
  request?: Buffer;
}

export function hopURL(hop: Hop): string {
  return `${hop.protocol}//${joinHostPort(hop.hostname, hop.port)}${hop.path}`;
}

/** A new connection (TLS without certificate verification for https), the request already queued on it. */
export function openHop(hop: Hop): Socket {
  let socket: Socket;
  if (hop.protocol === 'http:') socket = net.connect({ host: hop.hostname, port: hop.port });
  else socket = tls.connect({ host: hop.hostname, port: hop.port, servername: net.isIP(hop.hostname) ? undefined : hop.hostname, rejectUnauthorized: false });
  socket.write((hop.request ??= Buffer.from(`GET ${hop.path} HTTP/1.1\r\nHost: ${hop.host}\r\n${hop.lines}\r\n`)));
  return socket;
}

// The HTTP side of a SPDY/3.1 upgrade, as apimachinery's httpstream.Handshake and the spdy
// ResponseUpgrader do it: the client lists the stream protocols it speaks in X-Stream-Protocol-Version
// (repeated or comma-separated, most preferred first), the server takes the first it also speaks and
// names it in the 101 response, beside `Connection: Upgrade` and `Upgrade: SPDY/3.1`.
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../status.js';

export const HEADER_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const HEADER_ACCEPTED_PROTOCOL_VERSIONS = 'X-Accepted-Stream-Protocol-Versions';

/** `Upgrade: SPDY/3.1` with `Connection: Upgrade` (what the spdy ResponseUpgrader checks). */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  return connection.includes('upgrade') && upgrade.includes('spdy/3.1');
}

/** The client's protocols in its order of preference. Node joins repeated headers with ", ". */
export function offeredStreamProtocols(req: IncomingMessage): string[] {
  const raw = req.headers[HEADER_PROTOCOL_VERSION.toLowerCase()];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean);
}

/**
 * The negotiated protocol, or the API error httpstream.Handshake answers: 400 without the header,
 * 403 (naming what the server accepts) when nothing matches.
 */
export function negotiateStreamProtocol(req: IncomingMessage, serverProtocols: readonly string[]): string {
  const offered = offeredStreamProtocols(req);
  if (offered.length === 0) throw badRequest(`unable to upgrade: ${HEADER_PROTOCOL_VERSION} is required`);
  const chosen = offered.find((p) => serverProtocols.includes(p));
  if (!chosen) {
    throw new ApiError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${serverProtocols.join(' ')}]`);
  }
  return chosen;
}

/** The 101 answer to a SPDY/3.1 upgrade that negotiated `protocol`. */
export function spdyUpgradeResponse(protocol: string): string {
  return ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `${HEADER_PROTOCOL_VERSION}: ${protocol}`, '', ''].join('\r\n');
}

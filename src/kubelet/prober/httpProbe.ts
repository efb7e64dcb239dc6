import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { ProbeOutcome } from './runner.js';
import { dialError, isDialError, readError, type SocketError } from './netError.js';
import { joinHostPort } from './target.js';
import { nextHop } from './httpRedirect.js';

/** One request of a probe: where it goes and what it sends. */
export interface Hop {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  path: string;
  headers: OutgoingHttpHeaders;
}

/** The kubelet stops reading a probe's response body after 10KiB. */
export const maxBody = 10 * 1024;
const success: ProbeOutcome = { result: 'success', output: '' };

export function hopURL(hop: Hop): string {
  return `${hop.protocol}//${joinHostPort(hop.hostname, hop.port)}${hop.path}`;
}

/** http.go's verdict on the final response: 2xx success, 3xx success with a warning, else failure. */
function verdict(status: number, body: string): ProbeOutcome {
  if (status >= 200 && status < 300) return success;
  if (status >= 300 && status < 400) return { result: 'success', warning: true, output: `Probe terminated redirects, Response body: ${body}` };
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` };
}

/**
 * DoHTTPProbe: a GET with keep-alive off and no certificate verification, following redirects to the
 * same host (at most 10), with timeoutMs covering the whole exchange. Errors read like Go's client's.
 */
export function httpProbe(first: Hop, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let hop = first;
    let redirects = 0;
    let req: ClientRequest | undefined;
    let reading = false;
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(outcome);
    };
    const fail = (text: string, result: ProbeOutcome['result'] = 'failure') =>
      finish({ result, output: `Get ${JSON.stringify(hopURL(hop))}: ${text}` });

    const timer = setTimeout(() => {
      if (reading) return fail('context deadline exceeded (Client.Timeout or context cancellation while reading body)', 'unknown');
      const dialing = !req?.socket || req.socket.connecting;
      const cause = dialing ? `dial tcp ${joinHostPort(hop.hostname, hop.port)}: i/o timeout` : 'context deadline exceeded';
      fail(`${cause} (Client.Timeout exceeded while awaiting headers)`);
    }, timeoutMs);

    const onError = (err: SocketError) => {
      if (!isDialError(err)) return fail(readError(err));
      const addr = err.address && err.port ? joinHostPort(err.address, err.port) : joinHostPort(hop.hostname, hop.port);
      fail(dialError(addr, err));
    };

    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const next = nextHop(first, hop, status, res.headers.location, redirects);
      if (next instanceof Error) return finish({ result: 'failure', output: next.message });
      if (next) {
        redirects++;
        hop = next;
        req?.destroy();
        return send();
      }
      // The final response: read at most maxBody bytes of it, then close.
      reading = true;
      const keepBody = status >= 300 && status < 400;
      let body = '';
      let seen = 0;
      if (keepBody) res.setEncoding('utf8');
      res.on('data', (chunk: string | Buffer) => {
        seen += chunk.length;
        if (keepBody) body += chunk;
        if (seen >= maxBody) finish(verdict(status, body.slice(0, maxBody)));
      });
      res.on('close', () => (res.complete ? finish(verdict(status, body)) : fail('unexpected EOF', 'unknown')));
    };

    const send = () => {
      const mod = hop.protocol === 'https:' ? https : http;
      try {
        req = mod.request(
          { host: hop.hostname, port: hop.port, path: hop.path, headers: hop.headers, agent: false, rejectUnauthorized: false },
          onResponse,
        );
      } catch (err) {
        return fail((err as Error).message);
      }
      req.on('error', onError);
      req.end();
    };
    send();
  });
}

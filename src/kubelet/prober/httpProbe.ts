import type { Socket } from 'node:net';
import type { ProbeOutcome } from './runner.js';
import { dialError, isDialError, readError, type SocketError } from './netError.js';
import { joinHostPort } from './target.js';
import { hopURL, openHop, type Hop } from './httpHop.js';
import { nextHop } from './httpRedirect.js';
import { chunkedDone, maxBody, maxHead, parseHead, verdict, type ResponseHead } from './httpResponse.js';
import { longTimeout } from '../../runtime/longTimeout.js';

/**
 * DoHTTPProbe over a fresh connection per request, speaking just enough HTTP/1.1 itself (node:http costs
 * more CPU per request than a probe is worth): follows redirects to the same host (at most 10), reads at
 * most 10KiB of the body, and lets timeoutMs cover the whole exchange. Errors read like Go's client's.
 */
export function httpProbe(first: Hop, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let hop = first;
    let redirects = 0;
    let socket: Socket;
    let pending: Buffer | undefined; // bytes of a head not yet complete
    let head: ResponseHead | undefined;
    let body: Buffer[] | undefined; // kept only for a 3xx, whose body the warning shows
    let seen = 0;
    let tail = '';
    let settled = false;

    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      timer.clear();
      socket.destroy();
      resolve(outcome);
    };
    const fail = (text: string) => finish({ result: 'failure', output: `Get ${JSON.stringify(hopURL(hop))}: ${text}` });
    const errored = (text: string) => finish({ result: 'unknown', output: text });

    const timer = longTimeout(timeoutMs, () => {
      if (head) return errored('context deadline exceeded (Client.Timeout or context cancellation while reading body)');
      const cause = socket.connecting ? `dial tcp ${joinHostPort(hop.hostname, hop.port)}: i/o timeout` : 'context deadline exceeded';
      fail(`${cause} (Client.Timeout exceeded while awaiting headers)`);
    });

    /** Reads the head, skipping 1xx answers; leaves the bytes after it in `pending`. */
    const readHead = (chunk: Buffer): ResponseHead | undefined => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > maxHead) fail('net/http: HTTP/1.x transport connection broken: header too long');
          pending = buf;
          return undefined;
        }
        const parsed = parseHead(buf, end);
        if (parsed instanceof Error) return void fail(parsed.message);
        buf = buf.subarray(end + 4);
        if (parsed.status >= 200 || parsed.status === 101) {
          pending = buf;
          return parsed;
        }
      }
    };

    function onData(this: Socket, data: Buffer): void {
      if (this !== socket || settled) return;
      let chunk = data;
      if (!head) {
        const got = readHead(data);
        if (!got || settled) return;
        head = got;
        chunk = pending!;
        pending = undefined;
        const next = nextHop(first, hop, got.status, got.location, redirects);
        if (next instanceof Error) return finish({ result: 'failure', output: next.message });
        if (next) {
          redirects++;
          socket.destroy();
          hop = next;
          return open();
        }
        if (got.status >= 300 && got.status < 400) body = [];
        if (got.length === 0) return finish(verdict(got, body));
      }
      seen += chunk.length;
      body?.push(chunk);
      if (head.length === -1) tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 7))).slice(-7);
      const complete = head.length === -1 ? chunkedDone(tail) : head.length !== undefined && seen >= head.length;
      if (complete || seen >= maxBody) finish(verdict(head, body));
    }

    function onEnd(this: Socket): void {
      if (this !== socket || settled) return;
      if (!head) return fail('EOF');
      if (head.length !== undefined && head.length > seen) return errored('unexpected EOF');
      finish(verdict(head, body));
    }

    function onError(this: Socket, err: SocketError): void {
      if (this !== socket || settled) return;
      if (isDialError(err)) return fail(dialError(joinHostPort(hop.hostname, hop.port), err));
      if (head) return errored(readError(err));
      fail(readError(err));
    }

    const open = () => {
      pending = head = body = undefined;
      seen = 0;
      tail = '';
      socket = openHop(hop);
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('error', onError);
    };
    open();
  });
}

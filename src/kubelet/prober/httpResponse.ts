import type { ProbeOutcome } from './runner.js';

/** Just enough of an HTTP/1.1 response for a probe: the status, where it redirects, how the body ends. */
export interface ResponseHead {
  status: number;
  location?: string;
  /** Body length from Content-Length; -1 when chunked; undefined when the body runs to the close. */
  length?: number;
}

/** The kubelet stops reading a probe's response body after 10KiB; a head may not exceed 64KiB. */
export const maxBody = 10 * 1024;
export const maxHead = 64 * 1024;

const statusLine = /^HTTP\/1\.[01] (\d{3})/;

/** Parses the head ending at `end` (the index of its blank line), or returns Go's complaint. */
export function parseHead(buf: Buffer, end: number): ResponseHead | Error {
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = statusLine.exec(lines[0]);
  if (!m) return new Error(`net/http: HTTP/1.x transport connection broken: malformed HTTP response ${JSON.stringify(lines[0])}`);
  const head: ResponseHead = { status: Number(m[1]) };
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    const name = lines[i].slice(0, colon).toLowerCase();
    if (name === 'location') head.location = Buffer.from(lines[i].slice(colon + 1).trim(), 'latin1').toString('utf8');
    else if (name === 'content-length' && head.length !== -1) head.length = Number(lines[i].slice(colon + 1).trim());
    else if (name === 'transfer-encoding' && /chunked/i.test(lines[i])) head.length = -1;
  }
  if (head.status === 204 || head.status === 304) head.length = 0;
  return head;
}

/** Whether a chunked body is complete: it ends with the last chunk and no trailers. */
export function chunkedDone(tail: string): boolean {
  return tail.endsWith('\r\n0\r\n\r\n') || tail === '0\r\n\r\n';
}

/** The data of a chunked body (as much of it as is well formed). */
export function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < raw.length; ) {
    const eol = raw.indexOf('\r\n', i);
    const size = eol < 0 ? NaN : parseInt(raw.toString('latin1', i, eol), 16);
    if (!(size > 0)) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

const success: ProbeOutcome = { result: 'success', output: '' };

/** http.go's verdict on the final response: 2xx success, 3xx success with a warning, else failure. */
export function verdict(head: ResponseHead, body: Buffer[] | undefined): ProbeOutcome {
  const { status } = head;
  if (status >= 200 && status < 300) return success;
  if (status >= 300 && status < 400) {
    let raw: Buffer = Buffer.concat(body ?? []);
    if (head.length === -1) raw = dechunk(raw);
    return { result: 'success', warning: true, output: `Probe terminated redirects, Response body: ${raw.subarray(0, maxBody).toString()}` };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` };
}


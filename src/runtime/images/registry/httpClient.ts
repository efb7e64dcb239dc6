// The little HTTP a registry pull needs, on node:http/https: GET and HEAD (and the POST of an OAuth
// token exchange), redirects followed by hand so the Authorization header never leaves the registry
// (blob redirects go to a CDN that signs its own URLs), and a timeout on every wait.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

const MAX_REDIRECTS = 10;

export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** A request body (POST only). */
  body?: Buffer;
  /** For the connection and then between two chunks of the answer. */
  timeoutMs: number;
  /** Skip TLS verification, for the first URL's scheme/host/port only (never for where it redirects). */
  insecure?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body as it streams: iterate it, or `readBody`/`discardBody` it. */
  body: AsyncIterable<Buffer>;
  /** Stops the download (a body nobody wants). */
  discard(): void;
}

/** The request never got an answer (refused, reset, timed out, a TLS failure): worth another try. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

/** A body longer than the caller accepts (a "manifest" of gigabytes is not one). */
export class BodyTooLargeError extends Error {}

export class AbortedError extends Error {
  constructor() {
    super('the pull was cancelled');
  }
}

function origin(u: URL): string {
  return `${u.protocol}//${u.host}`;
}

export async function httpRequest(url: string, req: HttpRequest): Promise<HttpResponse> {
  const first = new URL(url);
  let current = first;
  let headers = { ...req.headers };
  let method = req.method ?? 'GET';
  let body = req.body;
  for (let hop = 0; ; hop++) {
    const res = await once(current, { ...req, method, headers, body, insecure: req.insecure === true && origin(current) === origin(first) });
    const location = res.status >= 300 && res.status < 400 ? res.headers.location : undefined;
    if (!location) return res;
    res.discard();
    if (hop >= MAX_REDIRECTS) throw new HttpError(`${url}: more than ${MAX_REDIRECTS} redirects`, false);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new HttpError(`${current.href}: redirect to unsupported URL ${next.href}`, false);
    // Credentials are for the registry: a redirect elsewhere (another host, port or scheme) goes without them.
    if (origin(next) !== origin(current)) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next;
  }
}

function once(u: URL, req: HttpRequest & { method: string }): Promise<HttpResponse> {
  const { signal } = req;
  if (signal?.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const lib = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'tinylet', ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const cr = lib.request(u, { method: req.method, headers, timeout: req.timeoutMs, ...(u.protocol === 'https:' ? { rejectUnauthorized: !req.insecure } : {}) });
    let res: IncomingMessage | undefined;
    const fail = (err: Error) => {
      if (res) res.destroy(err);
      else cr.destroy(err);
    };
    const onAbort = () => fail(new AbortedError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    // The socket's idle timeout: covers connecting, waiting for the headers, and every pause in the body.
    cr.on('timeout', () => fail(new HttpError(`${req.method} ${u.href}: no answer within ${req.timeoutMs} ms`)));
    cr.on('error', (err) => {
      done();
      if (!res) reject(wrapNetworkError(err, req.method, u));
    });
    cr.on('response', (r) => {
      res = r;
      // Errors reach whoever iterates the body; unheard, they must not crash the process.
      r.on('error', () => {});
      r.on('close', done);
      resolve({
        status: r.statusCode ?? 0,
        headers: r.headers,
        url: u.href,
        body: streamBody(r, req.method, u),
        // A short answer (an error body) is drained, so the kept-alive connection stays usable.
        discard: () => (Number(r.headers['content-length']) <= 65536 ? r.resume() : r.destroy()),
      });
    });
    cr.end(req.body);
  });
}

function wrapNetworkError(err: Error, method: string, u: URL): Error {
  if (err instanceof HttpError || err instanceof AbortedError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new HttpError(`${method} ${u.href}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`);
}

/** A connection that breaks mid-body is an HttpError too, naming the URL. */
async function* streamBody(r: IncomingMessage, method: string, u: URL): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of r) yield chunk as Buffer;
  } catch (err) {
    throw wrapNetworkError(err as Error, method, u);
  } finally {
    r.destroy();
  }
}

/** The whole body, refused past `maxBytes` (checked against Content-Length first, then as it arrives). */
export async function readBody(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  const tooLarge = () => new BodyTooLargeError(`${what} is larger than the ${formatBytes(maxBytes)} accepted`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.discard();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) {
      res.discard();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

export const MiB = 1024 * 1024;

/**
 * What a server said in an error body, shortly: the distribution spec's `{"errors":[{code,message,detail}]}`,
 * a token server's `{"details"}`/`{"error"}`, or the start of the text. '' when there is nothing to say.
 */
export function errorBodyText(bytes: Buffer): string {
  const text = bytes.toString('utf8').trim();
  try {
    const v = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown; detail?: unknown }[]; details?: unknown; error?: unknown; message?: unknown };
    if (Array.isArray(v.errors) && v.errors.length) {
      return v.errors
        .map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ') + (typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : ''))
        .filter(Boolean)
        .join('; ');
    }
    for (const k of ['details', 'error', 'message'] as const) if (typeof v[k] === 'string') return v[k] as string;
  } catch {
    // not JSON: the text itself
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The body of an error answer, small (registries send a few hundred bytes; a proxy might send a page). */
export async function readErrorBody(res: HttpResponse): Promise<string> {
  try {
    return errorBodyText(await readBody(res, 64 * 1024, 'error body'));
  } catch {
    return '';
  }
}

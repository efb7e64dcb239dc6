// The CLI's side of the API: HTTP over the agent's Unix socket (the default), or HTTPS with a bearer
// token (a kubeconfig, or --server/--token). Errors come back as the server's Status objects.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Status } from '../../server/status.js';
import { newKey } from '../../server/websocket.js';
import { printWarnings } from './warnings.js';

export interface Endpoint {
  /** unix:///path or https://host:port, as shown in messages. */
  display: string;
  socketPath?: string;
  url?: URL;
  token?: string;
  ca?: string;
  insecure?: boolean;
}

export class ApiStatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

/** The agent could not be reached at all. */
export class ConnectionError extends Error {}

export interface RequestOptions {
  query?: Record<string, string | string[] | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(readonly endpoint: Endpoint) {}

  private path(path: string, query?: RequestOptions['query']): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    const s = qs.toString();
    return s ? `${path}?${s}` : path;
  }

  private open(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'tinylet-cli', ...opts.headers };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const ep = this.endpoint;
    if (ep.token) headers.Authorization = `Bearer ${ep.token}`;
    const fullPath = this.path(path, opts.query);
    return new Promise((resolve, reject) => {
      const req = ep.socketPath
        ? httpRequest({ socketPath: ep.socketPath, path: fullPath, method, headers })
        : httpsRequest({ host: ep.url!.hostname.replace(/^\[|\]$/g, ''), port: ep.url!.port || 443, path: fullPath, method, headers, ca: ep.ca, rejectUnauthorized: !ep.insecure });
      req.on('response', resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(connectionError(err, ep)));
      req.end(payload);
    });
  }

  /** A request whose response is read whole; >= 400 throws ApiStatusError. */
  async call<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, opts);
    printWarnings(res);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw statusError(res.statusCode ?? 500, text);
    if (!(opts.accept ?? 'application/json').includes('json')) return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.call<T>('GET', path, opts);
  }

  /** A streaming response (watch, log follow); errors before the stream begins throw. */
  async stream(path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.open('GET', path, opts);
    if ((res.statusCode ?? 500) >= 400) throw statusError(res.statusCode ?? 500, await readAll(res));
    return res;
  }

  /** Newline-delimited watch events, until the server ends the stream or `signal` aborts. */
  async *watch(path: string, opts: RequestOptions = {}): AsyncGenerator<{ type: string; object: any }> {
    const res = await this.stream(path, { ...opts, query: { ...opts.query, watch: 'true' } });
    let buf = '';
    for await (const chunk of res) {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as { type: string; object: any };
        if (ev.type === 'ERROR') throw new ApiStatusError(ev.object as Status);
        yield ev;
      }
    }
  }

  /** An upgraded WebSocket connection (exec), with the subprotocol the server chose. */
  upgrade(path: string, query: RequestOptions['query'], protocols: string[]): Promise<{ socket: Duplex; head: Buffer; protocol: string }> {
    const ep = this.endpoint;
    const headers: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': newKey(),
      'Sec-WebSocket-Protocol': protocols.join(', '),
    };
    if (ep.token) headers.Authorization = `Bearer ${ep.token}`;
    const fullPath = this.path(path, query);
    return new Promise((resolve, reject) => {
      const req = ep.socketPath
        ? httpRequest({ socketPath: ep.socketPath, path: fullPath, headers })
        : httpsRequest({ host: ep.url!.hostname, port: ep.url!.port || 443, path: fullPath, headers, ca: ep.ca, rejectUnauthorized: !ep.insecure });
      req.on('upgrade', (res, socket, head) => resolve({ socket, head, protocol: String(res.headers['sec-websocket-protocol'] ?? '') }));
      req.on('response', (res) => void readAll(res).then((text) => reject(statusError(res.statusCode ?? 500, text))));
      req.on('error', (err: NodeJS.ErrnoException) => reject(connectionError(err, ep)));
      req.end();
    });
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function statusError(code: number, text: string): ApiStatusError {
  try {
    const s = JSON.parse(text) as Status;
    if (s.kind === 'Status') return new ApiStatusError(s);
  } catch {
    /* not a Status */
  }
  return new ApiStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, message: text.trim() || `HTTP ${code}`, reason: code === 404 ? 'NotFound' : 'Unknown' });
}

function connectionError(err: NodeJS.ErrnoException, ep: Endpoint): Error {
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new ConnectionError(`The connection to the server ${ep.display} was refused - is the tinylet agent running? (start it with \`tinylet agent\` or \`systemctl start tinylet\`)`);
  }
  if (err.code === 'EACCES') return new ConnectionError(`permission denied on ${ep.display}: run as root or as a member of the group tinylet`);
  return new ConnectionError(`Unable to connect to the server ${ep.display}: ${err.message}`);
}

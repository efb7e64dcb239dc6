// The HTTP front of the agent: one handler behind two listeners. The Unix socket is trusted by its
// permissions (0660 root:tinylet); the TCP listener (loopback unless configured otherwise) demands
// the bearer token. The server never touches processes: it hands desired state to the kubelet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { hasValidToken, PUBLIC_PATHS } from './auth.js';
import type { ApiServices, RequestContext } from './context.js';
import { handleExecUpgrade } from './handlers/podExec.js';
import { isLoopback, listenTcp, listenUnix } from './listen.js';
import { sendError } from './respond.js';
import { parseResourcePath, route } from './router.js';
import { toApiError, unauthorized } from './status.js';

type Transport = 'unix' | 'tcp';

export class ApiServer {
  private readonly servers: Server[] = [];
  private tcp?: { host: string; port: number };
  private readonly log = process.env.TINYLET_API_LOG === '1';

  constructor(private readonly services: ApiServices) {}

  get tcpAddress(): { host: string; port: number } | undefined {
    return this.tcp;
  }

  private make(transport: Transport): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res, transport);
    const server: Server = transport === 'tcp' ? createTlsServer(this.services.tls!, handler) : createServer(handler);
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head, transport));
    // Watches and log follows are long requests: no idle timeout on them.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 30_000;
    this.servers.push(server);
    return server;
  }

  async listen(): Promise<void> {
    const { socketPath, apiPort, apiAddress } = this.services.config;
    if (socketPath) await listenUnix(this.make('unix'), socketPath);
    if (apiPort !== null && apiPort !== undefined) {
      if (!isLoopback(apiAddress)) console.error(`tinylet: warning: the API listens on ${apiAddress}, which is not a loopback address`);
      this.tcp = await listenTcp(this.make('tcp'), apiAddress, apiPort);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  private authorized(req: IncomingMessage, pathname: string, transport: Transport): boolean {
    return transport === 'unix' || PUBLIC_PATHS.has(pathname) || hasValidToken(req, this.services.token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, transport: Transport): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://tinylet');
    const ctx: RequestContext = { req, res, method: req.method ?? 'GET', query: url.searchParams, services: this.services, transport };
    const started = Date.now();
    if (this.log) res.on('finish', () => console.error(`${ctx.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms (${transport})`));
    try {
      if (!this.authorized(req, url.pathname, transport)) throw unauthorized();
      await route(ctx, url.pathname);
    } catch (err) {
      const e = toApiError(err);
      if (e.code >= 500) console.error(`tinylet: ${ctx.method} ${req.url}: ${(err as Error).stack ?? err}`);
      sendError(res, e);
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: Transport): void {
    const url = new URL(req.url ?? '/', 'http://tinylet');
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const p = segs[0] === 'api' && segs[1] === 'v1' ? parseResourcePath(segs.slice(2)) : undefined;
    const reply = (code: number, reason: string, status: object) => {
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (!this.authorized(req, url.pathname, transport)) return reply(401, 'Unauthorized', unauthorized().toStatus());
    if (!p || p.resource !== 'pods' || p.subresource !== 'exec' || !p.namespace || !p.name) {
      return reply(404, 'Not Found', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
    }
    handleExecUpgrade(this.services, req, socket, head, p.namespace, p.name, url.searchParams);
  }
}

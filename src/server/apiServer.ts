// The HTTP front of the agent: one handler behind its listeners. The Unix socket is trusted by its
// permissions (0660 root:tinylet); the TCP listener (loopback unless configured otherwise), and the
// pods' one on the bridge gateway (the `kubernetes` Service's endpoint), demand a bearer token: the
// admin token (everything), or a pod's service account token (discovery, serviceAccountAccess.ts). The server never touches processes: it hands desired state
// to the kubelet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { bearerToken, hasValidToken, PUBLIC_PATHS } from './auth.js';
import { rememberCaller } from './authorization/caller.js';
import type { ApiServices, RequestContext } from './context.js';
import { handleAttachUpgrade } from './handlers/podAttach.js';
import { handleExecUpgrade } from './handlers/podExec.js';
import { handlePortForwardUpgrade } from './handlers/podPortForward.js';
import { isLoopback, listenTcp, listenUnix } from './listen.js';
import { sendError, sendSocketError } from './respond.js';
import { decodeSegments, parseRequestTarget, rawPath } from './requestTarget.js';
import { parseResourcePath, route } from './router.js';
import { authorizeServiceAccount, upgradeDenied } from './serviceAccountAccess.js';
import type { ServiceAccountUser } from './serviceAccountTokens.js';
import { routeNotFound, toApiError, unauthorized } from './status.js';

type Transport = 'unix' | 'tcp';

/** Who sent a request: the socket or the admin token, a pod's service account, or nobody (public paths only). */
type Caller = { kind: 'admin' } | { kind: 'serviceAccount'; user: ServiceAccountUser } | { kind: 'anonymous' };
const ADMIN: Caller = { kind: 'admin' };

export class ApiServer {
  private readonly servers: Server[] = [];
  /** Upgraded connections (exec, attach): closeAllConnections() does not see them, and close() would wait for them. */
  private readonly upgraded = new Set<Duplex>();
  private tcp?: { host: string; port: number };
  private pods?: { host: string; port: number };
  private readonly log = process.env.TINYLET_API_LOG === '1';

  constructor(private readonly services: ApiServices) {}

  get tcpAddress(): { host: string; port: number } | undefined {
    return this.tcp;
  }

  /** Where pods reach the API (the `kubernetes` Service's endpoint): the pod listener, once it listens. */
  get podAddress(): { host: string; port: number } | undefined {
    return this.pods;
  }

  /**
   * The API for pods, as in a cluster where they reach it through the `kubernetes` Service: the same
   * HTTPS handler on the pod bridge's gateway address (`gateway`), on the TCP listener's port when
   * free. Not on 0.0.0.0: the host's other interfaces do not get the API, and the pod firewall lets a
   * pod reach this address only through the Service's DNAT (runtime/network/firewall.ts). A TCP
   * listener on every address already serves the gateway. Needs the TCP API (TLS, tokens).
   */
  async listenForPods(gateway: string): Promise<void> {
    if (!this.tcp) return;
    const { apiAddress } = this.services.config;
    if (apiAddress === '0.0.0.0' || apiAddress === '::' || apiAddress === gateway) {
      this.pods = { host: gateway, port: this.tcp.port };
      return;
    }
    const server = this.make('tcp');
    this.pods = await listenTcp(server, gateway, this.tcp.port).catch(() => listenTcp(server, gateway, 0));
  }

  private make(transport: Transport): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res, transport);
    const server: Server = transport === 'tcp' ? createTlsServer(this.services.tls!, handler) : createServer(handler);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head, transport));
    // After listen() nobody else listens for 'error' (an accept() failing with EMFILE, say): without
    // this listener such an error would be thrown, and end the agent.
    // (Errors of listen() itself are listen()'s to report.)
    server.on('error', (err) => {
      if (server.listening) console.error(`tinylet: API server (${transport}): ${err.message}`);
    });
    // Watches and log follows are long requests: no idle timeout on them.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 30_000;
    this.servers.push(server);
    return server;
  }

  async listen(): Promise<void> {
    const { socketPath, apiPort, apiAddress } = this.services.config;
    if (socketPath) await listenUnix(this.make('unix'), socketPath).catch((err: Error) => Promise.reject(new Error(`cannot listen on unix://${socketPath}: ${err.message}`)));
    if (apiPort !== null && apiPort !== undefined) {
      if (!isLoopback(apiAddress)) console.error(`tinylet: warning: the API listens on ${apiAddress}, which is not a loopback address`);
      this.tcp = await listenTcp(this.make('tcp'), apiAddress, apiPort).catch((err: Error) => Promise.reject(new Error(`cannot listen on ${apiAddress}:${apiPort}: ${err.message}`)));
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
            for (const socket of this.upgraded) socket.destroy();
          }),
      ),
    );
  }

  /** The caller, or undefined for a 401. Public paths answer anyone, whatever the token. */
  private authorized(req: IncomingMessage, pathname: string, transport: Transport): Caller | undefined {
    if (transport === 'unix' || hasValidToken(req, this.services.token)) return ADMIN;
    if (PUBLIC_PATHS.has(pathname)) return { kind: 'anonymous' };
    const bearer = bearerToken(req);
    const user = bearer === undefined ? undefined : this.services.serviceAccounts?.verify(bearer);
    return user ? { kind: 'serviceAccount', user } : undefined;
  }

  /**
   * One request: the token check first, on the raw path (string work that cannot fail), then the
   * parsing, a service account's authorization, then the handler; every failure on the way is this
   * request's Status reply.
   */
  private async handle(req: IncomingMessage, res: ServerResponse, transport: Transport): Promise<void> {
    const method = req.method ?? 'GET';
    const started = Date.now();
    if (this.log) res.on('finish', () => console.error(`${method} ${req.url} ${res.statusCode} ${Date.now() - started}ms (${transport})`));
    try {
      const caller = this.authorized(req, rawPath(req.url), transport);
      if (!caller) throw unauthorized();
      rememberCaller(req, caller);
      const target = parseRequestTarget(req.url);
      if (caller.kind === 'serviceAccount') authorizeServiceAccount(caller.user, method, target.pathname, target.query);
      const ctx: RequestContext = { req, res, method, query: target.query, services: this.services, transport };
      await route(ctx, target.pathname);
    } catch (err) {
      const e = toApiError(err);
      if (e.code >= 500) console.error(`tinylet: ${method} ${req.url}: ${describe(err)}`);
      try {
        sendError(res, e);
      } catch {
        res.destroy();
      }
    }
  }

  /** An upgrade (pods/exec, pods/attach, pods/portforward only). Nothing in here may throw: it runs in an event listener. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: Transport): void {
    // The HTTP server stops listening for errors on an upgraded socket: a client reset would be thrown.
    socket.on('error', () => socket.destroy());
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    try {
      const caller = this.authorized(req, rawPath(req.url), transport);
      if (!caller) throw unauthorized();
      const target = parseRequestTarget(req.url);
      // exec runs commands in containers: never for a service account, whatever it may read.
      if (caller.kind === 'serviceAccount') throw upgradeDenied(caller.user, req.method ?? 'GET', target.pathname, target.query);
      const segs = decodeSegments(target.pathname);
      const p = segs[0] === 'api' && segs[1] === 'v1' ? parseResourcePath(segs.slice(2)) : undefined;
      if (!p || p.resource !== 'pods' || (p.subresource !== 'exec' && p.subresource !== 'attach' && p.subresource !== 'portforward') || !p.namespace || !p.name) throw routeNotFound();
      const handler = p.subresource === 'portforward' ? handlePortForwardUpgrade : p.subresource === 'attach' ? handleAttachUpgrade : handleExecUpgrade;
      handler(this.services, req, socket, head, p.namespace, p.name, target.query);
    } catch (err) {
      const e = toApiError(err);
      if (e.code >= 500) console.error(`tinylet: upgrade ${req.url}: ${describe(err)}`);
      try {
        sendSocketError(socket, e);
      } catch {
        socket.destroy();
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

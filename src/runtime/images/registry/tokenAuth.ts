// The registry auth dance (distribution's token authentication): a request without credentials gets
// 401 and a WWW-Authenticate challenge. Bearer: fetch a token for `repository:REPO:pull` from the
// realm it names (with the user's credentials as Basic auth, or anonymously) and retry with it;
// Basic: retry with the credentials themselves. Tokens are cached per (endpoint, scope, credentials)
// until they expire, so the layers of a pull, and the next pull, do not fetch one each.
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { parseWwwAuthenticate } from './authChallenge.js';
import type { DockerCredentials } from './credentials.js';
import { readBody, readErrorBody, MiB, type HttpRequest, type HttpResponse } from './httpClient.js';
import type { RegistryEndpoint } from './registryConfig.js';

/** Tokens live at least this long when the server does not say (the token spec's default). */
const DEFAULT_EXPIRES_S = 60;

/** Why the registry would not let us in: `credentials` = it needs some and there are none. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly kind: 'denied' | 'credentials',
  ) {
    super(message);
  }
}

/** A request as the client sends it (its retries, timeout and cancellation applied). */
export type AuthFetch = (url: string, req: Pick<HttpRequest, 'method' | 'headers' | 'body' | 'insecure'>) => Promise<HttpResponse>;

export interface TokenAuthOptions {
  endpoint: RegistryEndpoint;
  repository: string;
  credentials?: DockerCredentials;
  /** Where credentials were looked for, for the message when there are none. */
  credentialsSearched?: string;
  fetch: AuthFetch;
}

const cache = new Map<string, { header: string; expiresAt: number }>();

/** Forget every cached token (tests; a credentials change). */
export function clearTokenCache(): void {
  cache.clear();
}

function basic(c: DockerCredentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

export class TokenAuth {
  readonly scope: string;
  private readonly key: string;

  constructor(private readonly opts: TokenAuthOptions) {
    this.scope = `repository:${opts.repository}:pull`;
    const c = opts.credentials;
    const who = c ? createHash('sha256').update(`${c.username}\0${c.password}\0${c.identityToken}`).digest('hex').slice(0, 16) : 'anonymous';
    this.key = `${opts.endpoint.url}|${this.scope}|${who}`;
  }

  /** The Authorization header to send, if a token (or Basic) is already known for this endpoint and scope. */
  header(): string | undefined {
    const hit = cache.get(this.key);
    if (hit && hit.expiresAt > Date.now()) return hit.header;
    if (hit) cache.delete(this.key);
    return undefined;
  }

  /** After a 401: answer its challenge, so the next `header()` is what the registry asked for. Never from cache. */
  async authorize(wwwAuthenticate: string | string[] | undefined): Promise<void> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basicChallenge = challenges.find((c) => c.scheme === 'basic');
    const host = this.opts.endpoint.registryHost;
    if (bearer) {
      const realm = bearer.params.realm;
      if (!realm) throw new AuthError(`failed to authorize: the Bearer challenge of ${this.opts.endpoint.url} names no realm (token server)`, 'denied');
      const { token, expiresIn } = await this.fetchToken(realm, bearer.params.service, bearer.params.scope);
      const lifetime = expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_S;
      // A little early, so a token does not expire between the check and the registry reading it.
      cache.set(this.key, { header: `Bearer ${token}`, expiresAt: Date.now() + Math.max(1, lifetime - Math.min(10, lifetime / 10)) * 1000 });
      return;
    }
    if (basicChallenge) {
      const c = this.opts.credentials;
      if (!c?.username) throw new AuthError(`${host} requires a username and password (Basic authentication): ${this.noCredentials()}`, 'credentials');
      cache.set(this.key, { header: basic(c), expiresAt: Infinity });
      return;
    }
    const offered = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw new AuthError(`failed to authorize: ${this.opts.endpoint.url} answered 401 with no Bearer or Basic challenge (offered: ${offered})`, 'denied');
  }

  private noCredentials(): string {
    return `no credentials for ${this.opts.endpoint.registryHost} were found${this.opts.credentialsSearched ? ` (looked in ${this.opts.credentialsSearched})` : ''}`;
  }

  private async fetchToken(realm: string, service: string | undefined, challengeScope: string | undefined): Promise<{ token: string; expiresIn: number }> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`failed to authorize: the token realm ${JSON.stringify(realm)} is not a URL`, 'denied');
    }
    const scopes = [...new Set([this.scope, ...(challengeScope ? challengeScope.split(' ') : [])])];
    const c = this.opts.credentials;
    // The realm shares the registry's TLS exemption only when it is the registry itself.
    const insecure = this.opts.endpoint.insecure && url.host === new URL(this.opts.endpoint.url).host;
    if (c?.identityToken) {
      // An identity token is an OAuth2 refresh token: POSTed, as `docker login` with a token expects.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.identityToken, client_id: 'tinylet', ...(service ? { service } : {}) });
      for (const s of scopes) form.append('scope', s);
      const res = await this.opts.fetch(url.href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), insecure });
      // A token server without OAuth2 (404/405) takes the GET form instead.
      if (res.status !== 404 && res.status !== 405) return this.tokenFrom(res, 'POST', url.href, true);
      res.discard();
    }
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = c?.username ? { authorization: basic(c) } : {};
    const res = await this.opts.fetch(url.href, { headers, insecure });
    return this.tokenFrom(res, 'GET', url.href, c !== undefined);
  }

  private async tokenFrom(res: HttpResponse, method: string, url: string, withCredentials: boolean): Promise<{ token: string; expiresIn: number }> {
    const what = withCredentials ? 'token' : 'anonymous token';
    if (res.status !== 200) {
      const said = await readErrorBody(res);
      let hint = '';
      if (res.status === 401 || res.status === 403) {
        const c = this.opts.credentials;
        hint = withCredentials && c
          ? ` (the credentials for ${c.host} from ${c.source} were refused: check the username and password)`
          : ` (the registry needs credentials: ${this.noCredentials()})`;
      }
      throw new AuthError(
        `failed to authorize: failed to fetch ${what}: unexpected status from ${method} request to ${url}: ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trimEnd() + (said ? `: ${said}` : '') + hint,
        withCredentials || res.status !== 401 ? 'denied' : 'credentials',
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse((await readBody(res, MiB, `the token response of ${url}`)).toString('utf8')) as typeof body;
    } catch (err) {
      throw new AuthError(`failed to authorize: failed to fetch ${what}: ${url} did not answer with a JSON token: ${(err as Error).message}`, 'denied');
    }
    const token = typeof body?.token === 'string' && body.token ? body.token : typeof body?.access_token === 'string' ? body.access_token : '';
    if (!token) throw new AuthError(`failed to authorize: failed to fetch ${what}: the answer of ${url} has no "token" or "access_token"`, 'denied');
    return { token, expiresIn: typeof body.expires_in === 'number' ? body.expires_in : DEFAULT_EXPIRES_S };
  }
}

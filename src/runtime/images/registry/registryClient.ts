// One repository on one registry endpoint, through the pull side of the OCI distribution API:
// GET /v2/<repo>/manifests/<tag|digest> and GET /v2/<repo>/blobs/<digest>, with the auth dance,
// retries (network errors, 429, 5xx: never other 4xx, which another try would not change) and
// errors that say what the registry said.
import { STATUS_CODES } from 'node:http';
import { digestOf, isDigest } from '../content/blobStore.js';
import type { DockerCredentials } from './credentials.js';
import { AbortedError, BodyTooLargeError, HttpError, httpRequest, MiB, readBody, readErrorBody, type HttpRequest, type HttpResponse } from './httpClient.js';
import { manifestMediaType, MANIFEST_ACCEPT, UnsupportedMediaTypeError } from './mediaTypes.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, type RegistryEndpoint } from './registryConfig.js';
import { AuthError, TokenAuth } from './tokenAuth.js';

/** What went wrong, for callers that decide on it (a mirror's `not-found` sends the pull to the next endpoint). */
export type RegistryErrorCode = 'not-found' | 'denied' | 'credentials' | 'digest-mismatch' | 'too-large' | 'unsupported' | 'unavailable' | 'protocol' | 'cancelled';

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code: RegistryErrorCode,
  ) {
    super(message);
  }
}

/** Manifests are small JSON: anything past this is not one, and is not read into memory. */
export const MANIFEST_MAX_BYTES = 4 * MiB;

/** First wait before a retry; doubled each time, capped, and a Retry-After (up to 10 s) wins. */
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 4000;

export interface RegistryClientOptions {
  endpoint: RegistryEndpoint;
  /** "library/busybox" */
  repository: string;
  credentials?: DockerCredentials;
  /** Where credentials were looked for, for the message when the registry wants some. */
  credentialsSearched?: string;
  /** Tries after the first, on network errors, 429 and 5xx (default 2). */
  retries?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface FetchedManifest {
  /** Exactly as served: its sha256 is the digest. */
  bytes: Buffer;
  mediaType: string;
  /** Computed from the bytes (a registry's Docker-Content-Digest is not trusted). */
  digest: string;
}

export interface BlobStream {
  body: AsyncIterable<Buffer>;
  /** From Content-Length, when the server sent one. */
  size?: number;
}

export class RegistryClient {
  private readonly auth: TokenAuth;
  private readonly retries: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: RegistryClientOptions) {
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.auth = new TokenAuth({
      endpoint: opts.endpoint,
      repository: opts.repository,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(opts.credentialsSearched ? { credentialsSearched: opts.credentialsSearched } : {}),
      fetch: (url, req) => this.retrying(() => httpRequest(url, this.request(req))),
    });
  }

  /** The repository on this endpoint, for messages: "http://127.0.0.1:5000/v2/app". */
  get where(): string {
    return `${this.opts.endpoint.url}/v2/${this.opts.repository}`;
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    const byDigest = isDigest(reference);
    const res = await this.send(`manifests/${reference}`, 'GET', MANIFEST_ACCEPT, 'manifest', reference);
    const what = `manifest ${reference} of ${this.where}`;
    let bytes: Buffer;
    try {
      bytes = await readBody(res, MANIFEST_MAX_BYTES, what);
    } catch (err) {
      throw this.wrap(err);
    }
    let mediaType: string;
    try {
      mediaType = manifestMediaType(res.headers['content-type'], bytes, what);
    } catch (err) {
      throw this.wrap(err);
    }
    const digest = digestOf(bytes);
    if (byDigest && digest !== reference) {
      throw new RegistryError(`${what}: digest mismatch: the registry served content whose digest is ${digest}`, 'digest-mismatch');
    }
    return { bytes, mediaType, digest };
  }

  /** The blob's bytes as they arrive (redirects to a CDN followed, without our Authorization). Not verified here: the store does that. */
  async blob(digest: string): Promise<BlobStream> {
    const res = await this.send(`blobs/${digest}`, 'GET', '*/*', 'blob', digest);
    const size = Number(res.headers['content-length']);
    return { body: res.body, ...(Number.isSafeInteger(size) && res.headers['content-length'] !== undefined ? { size } : {}) };
  }

  private request(req: Pick<HttpRequest, 'method' | 'headers' | 'body' | 'insecure'>): HttpRequest {
    return { ...req, timeoutMs: this.timeoutMs, ...(this.opts.signal ? { signal: this.opts.signal } : {}) };
  }

  /** A request with the auth dance: one 401 is answered (a token fetched, afresh), a second means no access. */
  private async send(path: string, method: 'GET' | 'HEAD', accept: string, kind: 'manifest' | 'blob', ref: string): Promise<HttpResponse> {
    const url = `${this.where}/${path}`;
    let authorized = false;
    for (;;) {
      const authorization = this.auth.header();
      const headers: Record<string, string> = { accept, ...(authorization ? { authorization } : {}) };
      const res = await this.retrying(() => httpRequest(url, this.request({ method, headers, insecure: this.opts.endpoint.insecure })));
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401 && !authorized) {
        const challenge = res.headers['www-authenticate'];
        res.discard();
        try {
          await this.auth.authorize(challenge);
        } catch (err) {
          throw this.wrap(err);
        }
        authorized = true;
        continue;
      }
      const said = await readErrorBody(res);
      const server = said ? `: server message: ${said}` : '';
      if (res.status === 401 || res.status === 403) {
        throw new RegistryError(`pull access denied, repository does not exist or may require authorization${server}`, 'denied');
      }
      if (res.status === 404) throw new RegistryError(`${kind} unknown: ${ref} is not in ${this.where}${server}`, 'not-found');
      const code = res.status === 429 || res.status >= 500 ? 'unavailable' : 'protocol';
      const tries = code === 'unavailable' ? ` (after ${this.retries + 1} attempts)` : '';
      throw new RegistryError(`unexpected status from ${method} request to ${url}: ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trimEnd() + `${server}${tries}`, code);
    }
  }

  /** Network errors, 429 and 5xx tried again with backoff, `retries` times; the last answer or error is the caller's. */
  private async retrying(attempt: () => Promise<HttpResponse>): Promise<HttpResponse> {
    for (let n = 0; ; n++) {
      let res: HttpResponse;
      try {
        res = await attempt();
      } catch (err) {
        if (err instanceof HttpError && err.retryable && n < this.retries) {
          await this.backoff(n, undefined);
          continue;
        }
        throw this.wrap(err, n > 0 ? ` (after ${n + 1} attempts)` : '');
      }
      if ((res.status === 429 || res.status >= 500) && n < this.retries) {
        res.discard();
        await this.backoff(n, res.headers['retry-after']);
        continue;
      }
      return res;
    }
  }

  private backoff(n: number, retryAfter: string | undefined): Promise<void> {
    const after = Number(retryAfter);
    const ms = Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, 10_000) : Math.min(BACKOFF_BASE_MS * 2 ** n, BACKOFF_MAX_MS) * (0.8 + Math.random() * 0.4);
    return sleep(ms, this.opts.signal);
  }

  /** Any error of the layers below as a RegistryError (already one: unchanged). */
  wrap(err: unknown, suffix = ''): RegistryError {
    if (err instanceof RegistryError) return err;
    if (err instanceof AbortedError) return new RegistryError(err.message, 'cancelled');
    if (err instanceof AuthError) return new RegistryError(err.message, err.kind);
    if (err instanceof BodyTooLargeError) return new RegistryError(`${err.message}: refused`, 'too-large');
    if (err instanceof UnsupportedMediaTypeError) return new RegistryError(err.message, 'unsupported');
    if (err instanceof HttpError) return new RegistryError(`${err.message}${suffix}`, err.retryable ? 'unavailable' : 'protocol');
    return new RegistryError(err instanceof Error ? err.message : String(err), 'protocol');
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

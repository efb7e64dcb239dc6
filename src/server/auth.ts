import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { writeFileAtomic } from '../store/atomicWrite.js';

/** The bearer token of the loopback listener: created once (0600, root) and kept across restarts. */
export function loadOrCreateToken(path: string): string {
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token) return token;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

export function hasValidToken(req: IncomingMessage, token: string): boolean {
  const bearer = bearerToken(req);
  if (bearer === undefined) return false;
  const given = Buffer.from(bearer);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Paths anyone may read on the TCP listener (as the API server lets anonymous users probe health). */
export const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/livez']);

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Server } from 'node:http';
import { dirname } from 'node:path';

/** The gid of group `name`, created as a system group when missing; root's (0) if that fails. */
export function ensureGroup(name: string): number {
  const lookup = () => {
    try {
      const line = execFileSync('getent', ['group', name], { encoding: 'utf8' }).trim();
      return Number(line.split(':')[2]);
    } catch {
      return undefined;
    }
  };
  let gid = lookup();
  if (gid === undefined) {
    try {
      execFileSync('groupadd', ['--system', name], { stdio: 'ignore' });
    } catch {
      /* not root, or no groupadd: root's group then */
    }
    gid = lookup();
  }
  return gid ?? 0;
}

/**
 * Whether a process serves the socket. Only ECONNREFUSED proves a stale socket (its agent died):
 * any other failure (EAGAIN: a full backlog, EACCES) may be a live server, which must be left alone.
 */
function socketState(path: string): Promise<'live' | 'stale' | { unknown: string }> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve('live');
    });
    c.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'stale' : { unknown: err.code ?? err.message }));
  });
}

/** The file at `path`, if any: undefined when there is none. */
function fileType(path: string): 'socket' | 'other' | undefined {
  try {
    return lstatSync(path).isSocket() ? 'socket' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Listens on a Unix socket, mode 0660, group `tinylet` (created if missing) so members can use the API. */
export async function listenUnix(server: Server, path: string, groupName = 'tinylet'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  // Only a stale socket is replaced: never a live one (another agent's), never a file that is no socket.
  const type = fileType(path);
  if (type === 'other') throw new Error(`${path} exists and is not a socket`);
  if (type === 'socket') {
    const state = await socketState(path);
    if (state === 'live') throw new Error(`another process is already serving ${path}`);
    if (state !== 'stale') throw new Error(`${path} exists and could not be checked (${state.unknown}): not replacing it`);
    unlinkSync(path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o660);
  if (process.getuid?.() === 0) chownSync(path, 0, ensureGroup(groupName));
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address);
}

export async function listenTcp(server: Server, address: string, port: number): Promise<{ host: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('TCP listener has no address');
  return { host: address === 'localhost' ? '127.0.0.1' : a.address, port: a.port };
}

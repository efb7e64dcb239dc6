import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
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

/** True when an agent answers on the socket; a stale socket file (crashed agent) does not. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Listens on a Unix socket, mode 0660, group `tinylet` (created if missing) so members can use the API. */
export async function listenUnix(server: Server, path: string, groupName = 'tinylet'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (existsSync(path)) {
    if (await socketInUse(path)) throw new Error(`another agent is already listening on ${path}`);
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

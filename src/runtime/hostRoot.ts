import { existsSync, lstatSync, readdirSync } from 'node:fs';

// A host-backed image's root is an overlay whose lower layer is the host's root filesystem (only the
// root mount: /proc, /sys, /dev, /run and every other mounted filesystem are not part of it). It is
// there for the programs and their configuration, so the container sees those and nothing private.

/** Top-level directories shown as they are on the host (copy-on-write): programs, config, data. */
const VISIBLE = new Set(['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'usr', 'etc', 'opt', 'srv', 'var', 'proc', 'sys', 'dev']);

/** Inside those, what holds the host's secrets, logs and scratch files: shown as empty directories. */
const EMPTY_DIRS = ['/var/tmp', '/var/log', '/var/mail', '/var/spool', '/var/backups', '/var/lib/tinylet', '/etc/ssh', '/etc/ssl/private'];

/** ...and files not shown at all. */
const ABSENT_FILES = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-'];

export interface Hiding {
  /** Shown as empty directories (opaque in the writable layer: writes still land there). */
  opaque: string[];
  /** Not shown (whiteouts in the writable layer). */
  whiteout: string[];
}

/**
 * What a container on the host's root must not see: every top-level directory but the visible ones
 * (/root, /home, /tmp, /mnt, /media, a checkout in /work... appear empty), the private places above,
 * and the agent's own files (its state dir with tokens, keys and every pod's layers, logs and
 * volumes; its config; its socket), wherever they are.
 */
export function hostRootHiding(agentPaths: { dirs: string[]; files: string[] }): Hiding {
  const opaque: string[] = [];
  const whiteout: string[] = [];
  const hiddenTop = new Set<string>();
  for (const entry of readdirSync('/')) {
    if (VISIBLE.has(entry)) continue;
    hiddenTop.add(entry);
    (isDir(`/${entry}`) ? opaque : whiteout).push(`/${entry}`);
  }
  const coveredByTop = (p: string) => hiddenTop.has(p.split('/')[1] ?? '');
  for (const dir of [...EMPTY_DIRS, ...agentPaths.dirs]) {
    if (isHideable(dir) && !coveredByTop(dir) && isDir(dir)) opaque.push(dir);
  }
  for (const file of [...ABSENT_FILES, ...agentPaths.files]) {
    if (isHideable(file) && !coveredByTop(file) && existsSync(file) && !isDir(file)) whiteout.push(file);
  }
  return { opaque, whiteout };
}

/** Never a whole visible top-level directory (a state dir of /usr would hide the programs). */
function isHideable(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  return path.startsWith('/') && parts.length >= 2 && !parts.includes('..');
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { pauseBinary } from '../runtime/paths.js';

export interface Check {
  name: string;
  ok: boolean;
  /** What is wrong and how to fix it, when not ok. */
  detail: string;
  /** A failed required check stops `run`, `scenario run` and `agent`; others only limit images. */
  required: boolean;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => executable(`${d}/${cmd}`));
}

/** What this host needs for tinylet, each with the fix a user can apply. */
export function hostChecks(): Check[] {
  const overlay = existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay');
  return [
    { name: 'root', ok: process.getuid?.() === 0, detail: 'tinylet creates namespaces, veths and mounts: run it as root (sudo)', required: true },
    { name: 'pause binary', ok: executable(pauseBinary), detail: `${pauseBinary} is missing: run npm install (it compiles agent/pause.c; needs build-essential)`, required: true },
    { name: 'ip', ok: onPath('ip'), detail: 'ip is missing: apt-get install iproute2', required: true },
    { name: 'nft', ok: onPath('nft'), detail: 'nft is missing: apt-get install nftables', required: true },
    { name: 'mkfifo', ok: onPath('mkfifo'), detail: 'mkfifo is missing: apt-get install coreutils', required: true },
    { name: 'overlay filesystem', ok: overlay, detail: 'the kernel has no overlay filesystem (modprobe overlay)', required: true },
    { name: 'busybox (image busybox)', ok: existsSync('/bin/busybox'), detail: 'apt-get install busybox-static', required: false },
    { name: 'nginx (image nginx)', ok: existsSync('/usr/sbin/nginx'), detail: 'apt-get install nginx-light', required: false },
    { name: 'python3 (image python)', ok: existsSync('/usr/bin/python3'), detail: 'apt-get install python3', required: false },
    { name: 'zstd (zstd-compressed image layers)', ok: onPath('zstd'), detail: 'apt-get install zstd', required: false },
    { name: 'mknod (device nodes in image layers)', ok: onPath('mknod'), detail: 'apt-get install coreutils', required: false },
  ];
}

/** Refuses to start pods on a host that cannot run them, naming every missing piece. */
export function requireHost(): void {
  const missing = hostChecks().filter((c) => c.required && !c.ok);
  if (missing.length === 0) return;
  throw new Error(`this host cannot run pods yet:\n${missing.map((c) => `  * ${c.name}: ${c.detail}`).join('\n')}`);
}

/** `tinylet doctor`: every check, and exit 1 if a required one fails. */
export function doctorCommand(): number {
  const checks = hostChecks();
  for (const c of checks) console.log(`${c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn'}  ${c.name}${c.ok ? '' : `: ${c.detail}`}`);
  return checks.some((c) => c.required && !c.ok) ? 1 : 0;
}

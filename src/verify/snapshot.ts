// What a container's processes looked like at the instant the kubelet sent the stop signal: each
// process's signal dispositions for that signal (caught / ignored / blocked, from /proc/<pid>/status)
// and argv, and the TCP sockets of the container's network namespace. Taken synchronously right
// before the signal (termination.ts's beforeStopSignal), so nothing has reacted yet. Every read is
// best-effort: a process may exit while we look, and a snapshot must never throw.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessSnapshot {
  /** Host PID. */
  pid: number;
  ppid: number;
  argv: string[];
  /** The stop signal's bit in SigCgt / SigIgn / SigBlk. */
  catches: boolean;
  ignores: boolean;
  blocks: boolean;
}

export interface TcpSocket {
  local: string;
  remote: string;
  /** LISTEN, ESTABLISHED, TIME_WAIT, ... */
  state: string;
}

export interface StopSnapshot {
  /** The stop signal number whose dispositions were read (15 for SIGTERM). */
  signal: number;
  /** Milliseconds since the epoch when it was taken. */
  takenAt: number;
  /** The container's main process (first) and its descendants, parents before children. */
  processes: ProcessSnapshot[];
  /** TCP sockets of the container's network namespace, as /proc/<pid>/net/tcp{,6} list them. */
  tcp: TcpSocket[];
}

/** Descendants are bounded: a fork bomb must not make the kill path slow. */
const MAX_PROCESSES = 64;
const MAX_SOCKETS = 256;

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '06': 'TIME_WAIT',
  '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING',
};

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The bit of signal `signal` (1-based) in a /proc status mask such as `0000000000004a02`. */
export function maskHas(hex: string | undefined, signal: number): boolean {
  if (!hex || !/^[0-9a-fA-F]+$/.test(hex)) return false;
  return ((BigInt(`0x${hex}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

function statusField(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
}

function processOf(pid: number, signal: number): ProcessSnapshot | undefined {
  const status = read(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const cmdline = read(`/proc/${pid}/cmdline`) ?? '';
  const argv = cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  return {
    pid,
    ppid: Number(statusField(status, 'PPid') ?? 0),
    argv: argv.length ? argv : [`[${statusField(status, 'Name') ?? '?'}]`],
    catches: maskHas(statusField(status, 'SigCgt'), signal),
    ignores: maskHas(statusField(status, 'SigIgn'), signal),
    blocks: maskHas(statusField(status, 'SigBlk'), signal),
  };
}

/** Children by parent, from one scan of /proc (this kernel has no /proc/<pid>/task/<tid>/children). */
function childrenByParent(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return byParent;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // pid (comm) state ppid ...: comm may contain spaces and parentheses, so read after the last ')'.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (!Number.isInteger(ppid)) continue;
    const list = byParent.get(ppid) ?? [];
    list.push(Number(name));
    byParent.set(ppid, list);
  }
  return byParent;
}

function hexAddress(hex: string): string {
  const [ip, port] = hex.split(':');
  if (!ip || !port) return hex;
  const p = parseInt(port, 16);
  if (ip.length === 8) {
    const b = Buffer.from(ip, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}:${p}`;
  }
  // IPv6: four little-endian 32-bit words.
  const words = ip.match(/.{8}/g) ?? [];
  const bytes = Buffer.concat(words.map((w) => Buffer.from(w, 'hex').reverse()));
  const groups = bytes.toString('hex').match(/.{4}/g) ?? [];
  // The longest run of zero groups becomes "::", as people write IPv6 addresses.
  const text = `:${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}:`;
  const runs = text.match(/(:0)+:/g) ?? [];
  const longest = runs.reduce((a, r) => (r.length > a.length ? r : a), '');
  const short = longest ? text.replace(longest, '::') : text;
  return `[${short.replace(/^:(?!:)/, '').replace(/(?<!:):$/, '')}]:${p}`;
}

export function parseProcNetTcp(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !f[1] || !f[2] || !f[3]) continue;
    sockets.push({ local: hexAddress(f[1]), remote: hexAddress(f[2]), state: TCP_STATES[f[3].toUpperCase()] ?? f[3] });
  }
  return sockets;
}

export function takeStopSnapshot(pid: number, signal: number): StopSnapshot {
  const processes: ProcessSnapshot[] = [];
  const main = processOf(pid, signal);
  if (main) {
    processes.push(main);
    const byParent = childrenByParent();
    for (let i = 0; i < processes.length && processes.length < MAX_PROCESSES; i++) {
      for (const child of byParent.get(processes[i]!.pid) ?? []) {
        const p = processOf(child, signal);
        if (p && processes.length < MAX_PROCESSES) processes.push(p);
      }
    }
  }
  const tcp = [...parseProcNetTcp(read(`/proc/${pid}/net/tcp`) ?? ''), ...parseProcNetTcp(read(`/proc/${pid}/net/tcp6`) ?? '')].slice(0, MAX_SOCKETS);
  return { signal, takenAt: Date.now(), processes, tcp };
}

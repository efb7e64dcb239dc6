/** The Go error texts the kubelet's probes print, from Node's socket errors. */

export type SocketError = NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };

const connectErrors: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ETIMEDOUT: 'i/o timeout',
};

/** `dial tcp 10.244.0.5:8080: connect: connection refused`, as net.Dial reports it (with the address dialed). */
export function dialError(addr: string, err: SocketError): string {
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `dial tcp: lookup ${err.hostname ?? addr}: no such host`;
  if (err.address && err.port) addr = err.address.includes(':') ? `[${err.address}]:${err.port}` : `${err.address}:${err.port}`;
  const text = (err.code && connectErrors[err.code]) || err.message;
  return `dial tcp ${addr}: ${text}`;
}

export function dialTimeout(addr: string): string {
  return `dial tcp ${addr}: i/o timeout`;
}

/** Whether a socket error happened while connecting (the dial) rather than after. */
export function isDialError(err: NodeJS.ErrnoException): boolean {
  return err.syscall === 'connect' || err.syscall === 'getaddrinfo';
}

/** An error after the connection opened, e.g. the server closing it without answering (`EOF`). */
export function readError(err: NodeJS.ErrnoException): string {
  if (/wrong version number/.test(err.message)) return 'http: server gave HTTP response to HTTPS client';
  if (err.code === 'ECONNRESET' && err.syscall === 'read') return 'read: connection reset by peer';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'EOF';
  return err.message.trim();
}

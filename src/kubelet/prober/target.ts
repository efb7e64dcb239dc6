import type { Container } from '../../api/types.js';
import type { ProbeTarget } from './types.js';

/** Where network probes go when the handler names no host: the pod IP (the host's IP with hostNetwork). */
export function podIP(target: ProbeTarget): string {
  return target.pod().status?.podIP || '127.0.0.1';
}

/** net.JoinHostPort: brackets around an IPv6 literal. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** probe.ResolveContainerPort: a number, or the name of one of the container's ports. */
export function resolvePort(port: number | string, container: Container): number | Error {
  let n = port;
  if (typeof port === 'string') {
    const named = container.ports?.find((p) => p.name === port);
    if (!named) return new Error(`port ${JSON.stringify(port)} not found`);
    n = named.containerPort;
  }
  return Number.isInteger(n) && (n as number) > 0 && (n as number) < 65536 ? (n as number) : new Error(`invalid port number: ${n}`);
}

// The API server's cluster IP and node port allocators (pkg/registry/core/service/ipallocator,
// portallocator, allocator/bitmap.go) and the field errors the registry wraps their failures in
// (storage/alloc.go). Both split their range in two: dynamic allocation picks a random free value
// from the upper band and falls back to the lower one, which keeps the lower band for values
// users pick themselves (the `kubernetes` Service's first IP, kube-dns's tenth).
import type { FieldError } from '../fieldErrors.js';
import { cidrSize, cidrString, ipToNumber, ipToString, parseCidr } from '../../runtime/network/cidr.js';

export type ClaimResult = 'ok' | 'taken' | 'outOfRange';

/** A bitmap of `size` values whose dynamic allocation prefers offsets >= `offset`. */
class Bitmap {
  private readonly used = new Set<number>();

  constructor(readonly size: number, readonly offset: number, private readonly random: () => number) {}

  has(i: number): boolean {
    return this.used.has(i);
  }

  take(i: number): boolean {
    if (this.used.has(i)) return false;
    this.used.add(i);
    return true;
  }

  free(i: number): void {
    this.used.delete(i);
  }

  get count(): number {
    return this.used.size;
  }

  /** randomScanStrategyWithOffset: a random start in the upper band, scanning forward, then the lower band. */
  next(): number | undefined {
    for (const [lo, hi] of [[this.offset, this.size], [0, this.offset]] as const) {
      const n = hi - lo;
      if (n <= 0) continue;
      const start = Math.floor(this.random() * n);
      for (let k = 0; k < n; k++) {
        const i = lo + ((start + k) % n);
        if (!this.used.has(i)) {
          this.used.add(i);
          return i;
        }
      }
    }
    return undefined;
  }
}

/** min(max(min, size/step), max), or 0 for ranges of `min` values or fewer (calculateRangeOffset). */
function rangeOffset(size: number, min: number, step: number, max: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}

/**
 * Cluster IPs from an IPv4 CIDR (--service-cluster-ip-range). The network and broadcast
 * addresses are never handed out; of a /16, dynamic IPs come from x.x.1.1 up (the first 256
 * usable addresses are the static band).
 */
export class ClusterIpAllocator {
  readonly cidr: string;
  private readonly base: number;
  private readonly bits: Bitmap;

  constructor(cidr: string, random: () => number = Math.random) {
    const c = parseCidr(cidr);
    this.cidr = cidrString(c);
    this.base = c.base + 1;
    const size = cidrSize(c);
    this.bits = new Bitmap(Math.max(0, size - 2), rangeOffset(size, 16, 16, 256), random);
  }

  /** The n-th address of a CIDR: nthIP('10.96.0.0/16', 1) is the `kubernetes` Service, 10 is kube-dns. */
  static nthIP(cidr: string, n: number): string {
    return ipToString(parseCidr(cidr).base + n);
  }

  private offsetOf(ip: string): number | undefined {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || ip.split('.').some((o) => Number(o) > 255)) return undefined;
    const i = ipToNumber(ip) - this.base;
    return i >= 0 && i < this.bits.size ? i : undefined;
  }

  /** Whether the IP may be allocated from this range at all. */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  has(ip: string): boolean {
    const i = this.offsetOf(ip);
    return i !== undefined && this.bits.has(i);
  }

  /** A random free IP, or undefined when the range is full. */
  allocate(): string | undefined {
    const i = this.bits.next();
    return i === undefined ? undefined : ipToString(this.base + i);
  }

  /** Reserves a given IP (a user's spec.clusterIP, or one restored from storage). */
  claim(ip: string): ClaimResult {
    const i = this.offsetOf(ip);
    if (i === undefined) return 'outOfRange';
    return this.bits.take(i) ? 'ok' : 'taken';
  }

  /** Releasing an unallocated or out-of-range IP does nothing. */
  release(ip: string): void {
    const i = this.offsetOf(ip);
    if (i !== undefined) this.bits.free(i);
  }

  get used(): number {
    return this.bits.count;
  }

  get free(): number {
    return this.bits.size - this.bits.count;
  }
}

/** Node ports from an inclusive range (--service-node-port-range, 30000-32767 by default). */
export class NodePortAllocator {
  readonly min: number;
  readonly max: number;
  private readonly bits: Bitmap;

  constructor(range: { min: number; max: number }, random: () => number = Math.random) {
    this.min = range.min;
    this.max = range.max;
    const size = range.max - range.min + 1;
    this.bits = new Bitmap(size, rangeOffset(size, 16, 32, 128), random);
  }

  /** `30000-32767`, as net.PortRange prints. */
  get rangeString(): string {
    return `${this.min}-${this.max}`;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.min && port <= this.max;
  }

  has(port: number): boolean {
    return this.contains(port) && this.bits.has(port - this.min);
  }

  allocate(): number | undefined {
    const i = this.bits.next();
    return i === undefined ? undefined : this.min + i;
  }

  claim(port: number): ClaimResult {
    if (!this.contains(port)) return 'outOfRange';
    return this.bits.take(port - this.min) ? 'ok' : 'taken';
  }

  release(port: number): void {
    if (this.contains(port)) this.bits.free(port - this.min);
  }
}

/** Go's %#v of a []string. */
const goStrings = (list: readonly string[]): string => `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;

/**
 * The error for a requested cluster IP that cannot be had:
 * `spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated`,
 * or `...: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16`.
 */
export function clusterIPError(clusterIPs: readonly string[], ip: string, result: Exclude<ClaimResult, 'ok'>, cidr: string): FieldError {
  const why = result === 'taken' ? 'provided IP is already allocated' : `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`;
  return { path: 'spec.clusterIPs', kind: 'invalid', message: `Invalid value: ${goStrings(clusterIPs)}: failed to allocate IP ${ip}: ${why}` };
}

/**
 * The error for a requested node port that cannot be had:
 * `spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`, or
 * `...: provided port is not in the valid range. The range of valid ports is 30000-32767`.
 */
export function nodePortError(portIndex: number, port: number, result: Exclude<ClaimResult, 'ok'>, range: string): FieldError {
  const why = result === 'taken' ? 'provided port is already allocated' : `provided port is not in the valid range. The range of valid ports is ${range}`;
  return { path: `spec.ports[${portIndex}].nodePort`, kind: 'invalid', message: `Invalid value: ${port}: ${why}` };
}

/** What the API server answers (500 InternalError) when a range has nothing left. */
export const CLUSTER_IP_RANGE_FULL = 'failed to allocate a serviceIP: range is full';
export const NODE_PORT_RANGE_FULL = 'failed to allocate a nodePort: range is full';

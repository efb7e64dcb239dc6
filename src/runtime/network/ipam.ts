import { cidrSize, ipToNumber, ipToString, type Cidr } from './cidr.js';

/** Hands out pod IPs from the CIDR: .0 is the network, .1 the bridge, the last the broadcast. */
export class Ipam {
  private readonly used = new Set<number>();
  private next: number;

  /** A random start keeps separate embedded agents (`tinylet run`) on one bridge from colliding. */
  constructor(
    private readonly cidr: Cidr,
    randomStart = false,
  ) {
    this.next = cidr.base + 2 + (randomStart ? Math.floor(Math.random() * (cidrSize(cidr) - 3)) : 0);
  }

  allocate(): string {
    const size = cidrSize(this.cidr);
    for (let tries = 0; tries < size; tries++) {
      const candidate = this.next;
      this.next = candidate + 1 >= this.cidr.base + size - 1 ? this.cidr.base + 2 : candidate + 1;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return ipToString(candidate);
      }
    }
    throw new Error(`pod CIDR ${ipToString(this.cidr.base)}/${this.cidr.prefix} is exhausted`);
  }

  /** Claims a specific address (a pod recovered after an agent restart keeps its IP when free). */
  claim(ip: string): boolean {
    const n = ipToNumber(ip);
    if (this.used.has(n) || n < this.cidr.base + 2 || n >= this.cidr.base + cidrSize(this.cidr) - 1) return false;
    this.used.add(n);
    return true;
  }

  release(ip: string): void {
    this.used.delete(ipToNumber(ip));
  }
}

// Forwarding what the cluster zone does not answer to the host's resolvers, as CoreDNS's
// `forward . /etc/resolv.conf` does. The query and the answer are relayed byte for byte except the
// ID: each upstream query gets a fresh random ID and a fresh socket (fresh source port), so an
// off-path spoofer must guess both, and the client's own ID is put back on the answer.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

export interface Upstream { host: string; port: number }

export type ForwardResult =
  | { kind: 'answer'; bytes: Buffer }
  /** No upstream answered in time (or there is none): the server says SERVFAIL. */
  | { kind: 'failed' }
  /** Too many queries in flight already: the server says REFUSED, as CoreDNS's max_concurrent. */
  | { kind: 'busy' };

export interface ForwarderOptions {
  /** Fixed upstreams (tests); otherwise the `nameserver` lines of `resolvConfPath`. */
  upstreams?: Upstream[];
  /** Default /etc/resolv.conf; re-read when it may have changed (DHCP rewrites it). */
  resolvConfPath?: string;
  /** Per upstream, before trying the next one. */
  timeoutMs?: number;
  maxConcurrent?: number;
  /** Upstreams never to use: the server's own address, so a host file naming it cannot loop. */
  exclude?: (u: Upstream) => boolean;
}

/** The `nameserver` lines of a resolv.conf, port 53 (resolv.conf has no port syntax). */
export function parseNameservers(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'nameserver' || !f[1]) continue;
    const host = f[1].split('%')[0]!; // an IPv6 zone id cannot be used from here
    if (net.isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}

const RESOLV_RECHECK_MS = 2000;

export class Forwarder {
  private inFlight = 0;
  private closed = false;
  private readonly open = new Set<{ destroy(): void }>();
  private cache?: { at: number; upstreams: Upstream[] };

  constructor(private readonly opts: ForwarderOptions = {}) {}

  get concurrent(): number { return this.inFlight; }

  /** The upstreams for the next query: the explicit ones, or the host's file read at most every 2 s. */
  async upstreams(): Promise<Upstream[]> {
    let list = this.opts.upstreams;
    if (!list) {
      const now = Date.now();
      if (!this.cache || now - this.cache.at > RESOLV_RECHECK_MS) {
        let text = '';
        try { text = await readFile(this.opts.resolvConfPath ?? '/etc/resolv.conf', 'utf8'); } catch { /* no file: no upstreams */ }
        this.cache = { at: now, upstreams: parseNameservers(text) };
      }
      list = this.cache.upstreams;
    }
    const exclude = this.opts.exclude;
    return exclude ? list.filter((u) => !exclude(u)) : list;
  }

  /** Relays `query` (a decoded-valid message) over `transport`, trying each upstream in turn. */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<ForwardResult> {
    if (this.closed) return { kind: 'failed' };
    if (this.inFlight >= (this.opts.maxConcurrent ?? 256)) return { kind: 'busy' };
    this.inFlight++;
    try {
      const clientId = query.readUInt16BE(0);
      for (const u of await this.upstreams()) {
        if (this.closed) break;
        const id = randomInt(0x10000);
        const out = Buffer.from(query);
        out.writeUInt16BE(id, 0);
        const reply = await (transport === 'udp' ? this.udp(u, out, id) : this.tcp(u, out, id));
        if (reply) {
          reply.writeUInt16BE(clientId, 0);
          return { kind: 'answer', bytes: reply };
        }
      }
      return { kind: 'failed' };
    } finally {
      this.inFlight--;
    }
  }

  /** Ends every query in flight at once (they fail), so the server closes without waiting out timeouts. */
  close(): void {
    this.closed = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  private timeout(): number { return this.opts.timeoutMs ?? 2000; }

  /** A reply is ours when it is a response (QR) carrying the ID we chose. */
  private static matches(buf: Buffer, id: number): boolean {
    return buf.length >= 12 && buf.readUInt16BE(0) === id && (buf[2]! & 0x80) !== 0;
  }

  private udp(u: Upstream, query: Buffer, id: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
      let done = false;
      const handle = { destroy: () => finish(undefined) };
      const finish = (v: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.open.delete(handle);
        try { sock.close(); } catch { /* already closed */ }
        resolve(v);
      };
      const timer = setTimeout(() => finish(undefined), this.timeout());
      this.open.add(handle);
      sock.on('error', () => finish(undefined));
      sock.on('message', (msg) => { if (Forwarder.matches(msg, id)) finish(msg); });
      // connect(): the kernel then drops datagrams from any other address or port.
      sock.connect(u.port, u.host, () => {
        if (done) return; // closed meanwhile: send() would throw out of this callback
        try { sock.send(query, (err) => { if (err) finish(undefined); }); } catch { finish(undefined); }
      });
    });
  }

  private tcp(u: Upstream, query: Buffer, id: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let done = false;
      let buf = Buffer.alloc(0);
      const sock = net.connect({ host: u.host, port: u.port });
      const handle = { destroy: () => finish(undefined) };
      const finish = (v: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.open.delete(handle);
        sock.destroy();
        resolve(v);
      };
      const timer = setTimeout(() => finish(undefined), this.timeout());
      this.open.add(handle);
      sock.on('error', () => finish(undefined));
      sock.on('close', () => finish(undefined));
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2) return;
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        const reply = Buffer.from(buf.subarray(2, 2 + n));
        finish(Forwarder.matches(reply, id) ? reply : undefined);
      });
    });
  }
}

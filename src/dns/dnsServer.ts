// The DNS server the agent serves pods: UDP and TCP (RFC 7766) on one port, the cluster zone
// answered locally (an ExternalName's CNAME target outside it looked up upstream and appended),
// everything else relayed to the host's resolvers. No packet or client can throw
// out of it: each one's handling is caught and counted, so a bad one costs an error count only.
import dgram from 'node:dgram';
import net from 'node:net';
import { ClusterZone, type ClusterDnsView, type ClusterZoneOptions } from './clusterZone.js';
import { Forwarder, type Upstream } from './forwarder.js';
import { type DnsMessage, MAX_UDP_SIZE, RCode, RRClass, decodeMessage, encodeMessage, encodeWithin, peekHeader, responseTo, udpLimit } from './message.js';

export interface DnsServerOptions {
  view: ClusterDnsView;
  /** Fixed upstreams (host:port), for tests; otherwise the `nameserver` lines of `resolvConfPath`. */
  upstreams?: Upstream[];
  /** The host's resolv.conf, default /etc/resolv.conf. */
  resolvConfPath?: string;
  zone?: ClusterZoneOptions;
  /** Per upstream, default 2000 ms. */
  forwardTimeoutMs?: number;
  /** Forwarded queries in flight at once, default 256; beyond it REFUSED. */
  maxForwarded?: number;
  /** TCP: connections at once (default 128) and idle time before the server closes one (default 10 s). */
  maxConnections?: number;
  tcpIdleMs?: number;
}

export interface DnsServerStats {
  /** Messages received, UDP and TCP. */
  queries: number;
  answeredLocally: number;
  forwarded: number;
  servfail: number;
  /** Malformed messages (FORMERR or dropped). */
  malformed: number;
  /** Exceptions caught while handling a message or socket. */
  errors: number;
}

/** Queries one TCP connection may have in flight before the server stops reading from it. */
const TCP_PIPELINE = 16;
/** Answers written to a TCP client and not yet taken by it, before the server drops the client. */
const MAX_UNREAD_OUTPUT = 256 * 1024;

export class DnsServer {
  readonly stats: DnsServerStats = { queries: 0, answeredLocally: 0, forwarded: 0, servfail: 0, malformed: 0, errors: 0 };
  private readonly zone: ClusterZone;
  private readonly forwarder: Forwarder;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private bound?: { address: string; port: number };

  constructor(private readonly opts: DnsServerOptions) {
    this.zone = new ClusterZone(opts.view, opts.zone);
    this.forwarder = new Forwarder({
      ...(opts.upstreams ? { upstreams: opts.upstreams } : {}),
      ...(opts.resolvConfPath ? { resolvConfPath: opts.resolvConfPath } : {}),
      timeoutMs: opts.forwardTimeoutMs ?? 2000,
      maxConcurrent: opts.maxForwarded ?? 256,
      // Never forward to ourselves: a host resolv.conf naming our address would loop.
      exclude: (u) => this.bound !== undefined && u.port === this.bound.port
        && (u.host === this.bound.address || (this.bound.address === '0.0.0.0' && u.host.startsWith('127.'))),
    });
  }

  /** The bound port (the one chosen when listen() was given 0); 0 before listen(). */
  get port(): number {
    return this.bound?.port ?? 0;
  }

  /** Binds UDP and TCP on `address`:`port`; with port 0, one free port for both. */
  async listen(address: string, port: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, address, () => { udp.off('error', reject); resolve(); });
      });
      const actual = udp.address().port;
      const tcp = net.createServer({ pauseOnConnect: false }, (s) => this.onConnection(s));
      tcp.maxConnections = this.opts.maxConnections ?? 128;
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ host: address, port: actual, exclusive: true }, () => { tcp.off('error', reject); resolve(); });
        });
      } catch (err) {
        udp.close();
        // The UDP port chosen for us may be taken on TCP: pick another, a few times.
        if (port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) continue;
        throw err;
      }
      udp.on('error', () => { this.stats.errors++; });
      udp.on('message', (msg, rinfo) => { this.onDatagram(udp, msg, rinfo); });
      tcp.on('error', () => { this.stats.errors++; });
      this.udp = udp;
      this.tcp = tcp;
      this.bound = { address, port: actual };
      return;
    }
  }

  async close(): Promise<void> {
    this.forwarder.close();
    for (const s of this.conns) s.destroy();
    this.conns.clear();
    const udp = this.udp, tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp ? new Promise<void>((r) => { try { udp.close(() => r()); } catch { r(); } }) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
  }

  /**
   * The response bytes for one message, or undefined when none is due (responses, runts).
   * Public so the agent or tests can answer a packet without sockets.
   */
  async handle(packet: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    this.stats.queries++;
    try {
      const query = decodeMessage(packet);
      if (!query) return this.malformed(packet);
      if (query.flags.qr) return undefined; // a response sent to us: answering it could loop
      const limit = transport === 'udp' ? udpLimit(query) : 0xffff;
      if (query.flags.opcode !== 0) return encodeWithin(responseTo(query, RCode.NOTIMP), limit);
      if (query.questions.length !== 1) return encodeWithin(responseTo(query, RCode.FORMERR), limit);
      if (query.edns && query.edns.version > 0) return encodeWithin(responseTo(query, RCode.BADVERS), limit);
      const local = this.zone.answer(query.questions[0]!);
      if (local) {
        this.stats.answeredLocally++;
        // An ExternalName's CNAME out of the zone: its target's records from upstream, after it.
        const followed = local.follow ? await this.chase(local.follow) : [];
        const res: DnsMessage = { ...responseTo(query, local.rcode), answers: [...local.answers, ...followed], authority: local.authority, additional: local.additional };
        res.flags.aa = true;
        return encodeWithin(res, limit);
      }
      return await this.forward(query, packet, transport, limit);
    } catch {
      this.stats.errors++;
      return this.servfail(packet);
    }
  }

  /**
   * What the upstream resolvers answer for a CNAME's target (CoreDNS's kubernetes plugin looks
   * ExternalName targets up the same way): their answer records, or none when they fail or deny
   * it, which leaves the client with the CNAME alone to resolve itself. Over TCP if UDP truncates.
   */
  private async chase(target: { name: string; type: number }): Promise<DnsMessage['answers']> {
    const query: DnsMessage = {
      id: 0,
      flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false },
      rcode: RCode.NOERROR,
      questions: [{ name: target.name, type: target.type, class: RRClass.IN }],
      answers: [], authority: [], additional: [],
      edns: { udpSize: MAX_UDP_SIZE, version: 0, dnssecOk: false, options: Buffer.alloc(0) },
    };
    const packet = encodeMessage(query);
    for (const transport of ['udp', 'tcp'] as const) {
      const r = await this.forwarder.forward(packet, transport);
      if (r.kind !== 'answer') return [];
      const answer = decodeMessage(r.bytes);
      if (!answer || !answer.flags.qr) return [];
      if (answer.flags.tc && transport === 'udp') continue;
      return answer.rcode === RCode.NOERROR ? answer.answers : [];
    }
    return [];
  }

  private async forward(query: DnsMessage, packet: Buffer, transport: 'udp' | 'tcp', limit: number): Promise<Buffer> {
    const r = await this.forwarder.forward(packet, transport);
    if (r.kind === 'answer') { this.stats.forwarded++; return r.bytes; }
    if (r.kind === 'busy') return encodeWithin(responseTo(query, RCode.REFUSED), limit);
    this.stats.servfail++;
    return encodeWithin(responseTo(query, RCode.SERVFAIL), limit);
  }

  /** FORMERR from the header alone (RFC 1035 4.1.1), or nothing for a runt or a response. */
  private malformed(packet: Buffer): Buffer | undefined {
    this.stats.malformed++;
    return this.headerOnly(packet, RCode.FORMERR);
  }

  private servfail(packet: Buffer): Buffer | undefined {
    try { return this.headerOnly(packet, RCode.SERVFAIL); } catch { return undefined; }
  }

  /** A response with no question, built from the first 12 bytes of what the client sent. */
  private headerOnly(packet: Buffer, rcode: number): Buffer | undefined {
    const h = peekHeader(packet);
    if (!h || h.qr) return undefined;
    const flags = { qr: false, opcode: h.opcode, aa: false, tc: false, rd: h.rd, ra: false, ad: false, cd: false };
    return encodeMessage(responseTo({ id: h.id, flags, questions: [] }, rcode));
  }

  private onDatagram(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.handle(msg, 'udp').then((res) => {
      if (res && this.udp === udp) udp.send(res, rinfo.port, rinfo.address, (err) => { if (err) this.stats.errors++; });
    }).catch(() => { this.stats.errors++; });
  }

  /**
   * RFC 7766: 2-byte length framing, several queries per connection, answers in any order. At most
   * TCP_PIPELINE queries of one connection are handled at once; beyond that the socket is paused, so
   * what one client can make us hold is one read chunk plus those queries' answers.
   */
  private onConnection(sock: net.Socket): void {
    this.conns.add(sock);
    let buf = Buffer.alloc(0);
    let pending = 0;
    const pump = (): void => {
      while (pending < TCP_PIPELINE && buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const frame = Buffer.from(buf.subarray(2, 2 + n));
        buf = buf.subarray(2 + n);
        pending++;
        this.handle(frame, 'tcp').then((res) => {
          if (!res || sock.destroyed) return;
          // A client that sends but never reads: drop it rather than buffer its answers.
          if (sock.writableLength > MAX_UNREAD_OUTPUT) { sock.destroy(); return; }
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          sock.write(Buffer.concat([len, res]));
        }).catch(() => { this.stats.errors++; }).finally(() => {
          pending--;
          if (!sock.destroyed) pump();
        });
      }
      if (pending >= TCP_PIPELINE) sock.pause();
      else if (sock.isPaused()) sock.resume();
    };
    sock.setNoDelay(true);
    sock.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    sock.on('error', () => { this.stats.errors++; });
    sock.on('close', () => { this.conns.delete(sock); });
    sock.on('data', (chunk) => {
      try {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        pump();
      } catch {
        this.stats.errors++;
        sock.destroy();
      }
    });
  }
}

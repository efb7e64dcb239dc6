// DNS messages (RFC 1035 4.1, EDNS0 RFC 6891): decode and encode. Decoding never throws: a
// malformed packet is `undefined`, and the server answers FORMERR from the header alone.
import { formatIPv6, ipBytes } from './ip.js';
import { readName, writeName } from './names.js';

export const RRType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RRClass = { IN: 1, ANY: 255 } as const;
export const RCode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

/** Without EDNS a UDP answer may not exceed 512 bytes (RFC 1035 4.2.1). */
export const CLASSIC_UDP_SIZE = 512;
/** What we advertise and the most we send over UDP whatever the client offers. */
export const MAX_UDP_SIZE = 4096;

export interface DnsQuestion { name: string; type: number; class: number }

export type RecordData =
  | { kind: 'A'; address: string }
  | { kind: 'AAAA'; address: string }
  | { kind: 'NS' | 'CNAME' | 'PTR'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { kind: 'TXT'; texts: string[] }
  | { kind: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  /** Any other type, kept as the rdata bytes (names in it are not decompressed). */
  | { kind: 'RAW'; bytes: Buffer };

export interface ResourceRecord { name: string; type: number; class: number; ttl: number; data: RecordData }

/** The OPT pseudo-record, kept apart from `additional`. */
export interface Edns { udpSize: number; version: number; dnssecOk: boolean; options: Buffer }

export interface DnsFlags { qr: boolean; opcode: number; aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean }

export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  /** The full RCODE: the header's 4 bits, plus the OPT's extended 8 bits above them when EDNS is on. */
  rcode: number;
  questions: DnsQuestion[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

const KIND_OF: Record<number, RecordData['kind']> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 33: 'SRV' };

/** A record with its type taken from the data. */
export function record(name: string, ttl: number, data: RecordData, type?: number): ResourceRecord {
  const t = type ?? (data.kind === 'RAW' ? 0 : RRType[data.kind]);
  return { name, type: t, class: RRClass.IN, ttl, data };
}

// ---------- decoding ----------

class Reader {
  constructor(readonly buf: Buffer, public pos: number) {}
  need(n: number): boolean { return this.pos + n <= this.buf.length; }
  u8(): number { return this.buf[this.pos++]!; }
  u16(): number { const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  u32(): number { const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  name(): string | undefined {
    const r = readName(this.buf, this.pos);
    if (!r) return undefined;
    this.pos = r.next;
    return r.name;
  }
}

function decodeRData(r: Reader, type: number, end: number): RecordData | undefined {
  const kind = KIND_OF[type];
  const start = r.pos;
  let data: RecordData | undefined;
  switch (kind) {
    case 'A':
      if (end - start !== 4) return undefined;
      data = { kind, address: [...r.buf.subarray(start, end)].join('.') };
      r.pos = end;
      break;
    case 'AAAA':
      if (end - start !== 16) return undefined;
      data = { kind, address: formatIPv6(r.buf.subarray(start, end)) };
      r.pos = end;
      break;
    case 'NS': case 'CNAME': case 'PTR': {
      const target = r.name();
      if (target === undefined) return undefined;
      data = { kind, target };
      break;
    }
    case 'SRV': {
      if (!r.need(6)) return undefined;
      const priority = r.u16(), weight = r.u16(), port = r.u16();
      const target = r.name();
      if (target === undefined) return undefined;
      data = { kind, priority, weight, port, target };
      break;
    }
    case 'TXT': {
      const texts: string[] = [];
      while (r.pos < end) {
        const n = r.u8();
        if (r.pos + n > end) return undefined;
        texts.push(r.buf.toString('latin1', r.pos, r.pos + n));
        r.pos += n;
      }
      data = { kind, texts };
      break;
    }
    case 'SOA': {
      const mname = r.name();
      const rname = mname === undefined ? undefined : r.name();
      if (rname === undefined || !r.need(20)) return undefined;
      data = { kind, mname: mname!, rname, serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    }
    default:
      data = { kind: 'RAW', bytes: Buffer.from(r.buf.subarray(start, end)) };
      r.pos = end;
  }
  return r.pos === end ? data : undefined; // rdata must be consumed exactly
}

function decodeRecord(r: Reader): ResourceRecord | { opt: Edns; extRcode: number } | undefined {
  const name = r.name();
  if (name === undefined || !r.need(10)) return undefined;
  const type = r.u16(), cls = r.u16(), ttl = r.u32(), rdlen = r.u16();
  const end = r.pos + rdlen;
  if (end > r.buf.length) return undefined;
  if (type === RRType.OPT) {
    if (name !== '') return undefined; // OPT is owned by the root (RFC 6891 6.1.2)
    const options = Buffer.from(r.buf.subarray(r.pos, end));
    r.pos = end;
    return { opt: { udpSize: cls, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0, options }, extRcode: ttl >>> 24 };
  }
  const data = decodeRData(r, type, end);
  if (!data) return undefined;
  return { name, type, class: cls, ttl, data };
}

/** The message in `buf`, or undefined when any part of it is malformed. */
export function decodeMessage(buf: Buffer): DnsMessage | undefined {
  try {
    if (buf.length < 12) return undefined;
    const r = new Reader(buf, 0);
    const id = r.u16(), f = r.u16();
    const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
    const msg: DnsMessage = {
      id,
      flags: { qr: !!(f & 0x8000), opcode: (f >> 11) & 0xf, aa: !!(f & 0x400), tc: !!(f & 0x200), rd: !!(f & 0x100), ra: !!(f & 0x80), ad: !!(f & 0x20), cd: !!(f & 0x10) },
      rcode: f & 0xf,
      questions: [], answers: [], authority: [], additional: [],
    };
    for (let i = 0; i < counts[0]; i++) {
      const name = r.name();
      if (name === undefined || !r.need(4)) return undefined;
      msg.questions.push({ name, type: r.u16(), class: r.u16() });
    }
    const sections = [msg.answers, msg.authority, msg.additional];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) {
        const rec = decodeRecord(r);
        if (!rec) return undefined;
        if ('opt' in rec) {
          if (s !== 2 || msg.edns) return undefined; // one OPT, in the additional section only
          msg.edns = rec.opt;
          msg.rcode |= rec.extRcode << 4;
        } else sections[s]!.push(rec);
      }
    }
    return r.pos === buf.length ? msg : undefined; // trailing garbage: not a DNS message
  } catch {
    return undefined; // a read past the end the checks above missed; still "malformed"
  }
}

/** The header fields of anything 12 bytes or longer, for answering FORMERR to what did not decode. */
export function peekHeader(buf: Buffer): { id: number; qr: boolean; opcode: number; rd: boolean } | undefined {
  if (buf.length < 12) return undefined;
  const f = buf.readUInt16BE(2);
  return { id: buf.readUInt16BE(0), qr: !!(f & 0x8000), opcode: (f >> 11) & 0xf, rd: !!(f & 0x100) };
}

// ---------- encoding ----------

function u16(out: number[], v: number): void { out.push((v >> 8) & 0xff, v & 0xff); }
function u32(out: number[], v: number): void { out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }

function writeRData(out: number[], d: RecordData, comp: Map<string, number> | undefined): void {
  switch (d.kind) {
    case 'A': case 'AAAA': {
      const b = ipBytes(d.address);
      if (!b || b.length !== (d.kind === 'A' ? 4 : 16)) throw new RangeError(`bad ${d.kind} address ${d.address}`);
      out.push(...b);
      return;
    }
    case 'NS': case 'CNAME': case 'PTR': writeName(out, d.target, comp); return;
    // SRV targets are never compressed (RFC 2782).
    case 'SRV': u16(out, d.priority); u16(out, d.weight); u16(out, d.port); writeName(out, d.target); return;
    case 'TXT':
      for (const t of d.texts.length ? d.texts : ['']) {
        const b = Buffer.from(t, 'latin1');
        if (b.length > 255) throw new RangeError('TXT string over 255 bytes');
        out.push(b.length, ...b);
      }
      return;
    case 'SOA':
      writeName(out, d.mname, comp); writeName(out, d.rname, comp);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) u32(out, v);
      return;
    case 'RAW': out.push(...d.bytes); return;
  }
}

function writeRecord(out: number[], rr: ResourceRecord, comp: Map<string, number> | undefined): void {
  writeName(out, rr.name, comp);
  u16(out, rr.type); u16(out, rr.class); u32(out, rr.ttl);
  const lenAt = out.length;
  u16(out, 0);
  writeRData(out, rr.data, comp);
  const len = out.length - lenAt - 2;
  out[lenAt] = len >> 8; out[lenAt + 1] = len & 0xff;
}

/** The wire form of `msg`; names compressed unless `compress: false`. Throws only on invalid content we built. */
export function encodeMessage(msg: DnsMessage, opts: { compress?: boolean } = {}): Buffer {
  if (msg.rcode > 0xf && !msg.edns) throw new RangeError('extended RCODE needs EDNS');
  const out: number[] = [];
  const comp = opts.compress === false ? undefined : new Map<string, number>();
  const f = msg.flags;
  u16(out, msg.id);
  u16(out, (f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x400 : 0) | (f.tc ? 0x200 : 0) | (f.rd ? 0x100 : 0)
    | (f.ra ? 0x80 : 0) | (f.ad ? 0x20 : 0) | (f.cd ? 0x10 : 0) | (msg.rcode & 0xf));
  u16(out, msg.questions.length); u16(out, msg.answers.length); u16(out, msg.authority.length);
  u16(out, msg.additional.length + (msg.edns ? 1 : 0));
  for (const q of msg.questions) { writeName(out, q.name, comp); u16(out, q.type); u16(out, q.class); }
  for (const rr of [...msg.answers, ...msg.authority, ...msg.additional]) writeRecord(out, rr, comp);
  if (msg.edns) {
    const e = msg.edns;
    out.push(0); u16(out, RRType.OPT); u16(out, e.udpSize);
    u32(out, (((msg.rcode >> 4) & 0xff) << 24) | ((e.version & 0xff) << 16) | (e.dnssecOk ? 0x8000 : 0));
    u16(out, e.options.length); out.push(...e.options);
  }
  return Buffer.from(out);
}

/** The most a UDP answer to `query` may take: the client's EDNS size (512 at least, ours at most), else 512. */
export function udpLimit(query: DnsMessage): number {
  if (!query.edns) return CLASSIC_UDP_SIZE;
  return Math.min(MAX_UDP_SIZE, Math.max(CLASSIC_UDP_SIZE, query.edns.udpSize));
}

/**
 * Encodes a response to fit `limit` bytes. Additional records go first (RFC 2181 9: dropping
 * them needs no TC); if the answer still does not fit, answer and authority go too and TC is set,
 * so the client asks again over TCP. The question and OPT always stay.
 */
export function encodeWithin(msg: DnsMessage, limit: number): Buffer {
  const full = encodeMessage(msg);
  if (full.length <= limit) return full;
  const noExtra = encodeMessage({ ...msg, additional: [] });
  if (noExtra.length <= limit) return noExtra;
  return encodeMessage({ ...msg, flags: { ...msg.flags, tc: true }, answers: [], authority: [], additional: [] });
}

/** An empty response to `query`: same ID, opcode, RD, CD and question; EDNS when the client used it. */
export function responseTo(query: Pick<DnsMessage, 'id' | 'flags' | 'questions' | 'edns'>, rcode: number): DnsMessage {
  return {
    id: query.id,
    flags: { qr: true, opcode: query.flags.opcode, aa: false, tc: false, rd: query.flags.rd, ra: true, ad: false, cd: query.flags.cd },
    rcode,
    questions: query.questions.map((q) => ({ ...q })),
    answers: [], authority: [], additional: [],
    ...(query.edns ? { edns: { udpSize: MAX_UDP_SIZE, version: 0, dnssecOk: query.edns.dnssecOk, options: Buffer.alloc(0) } } : {}),
  };
}

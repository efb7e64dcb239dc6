import { describe, expect, it } from 'vitest';
import { canonicalIP, ipFromDashed, ipFromReverseName, reverseName } from '../src/dns/ip.js';
import {
  type DnsMessage, RCode, RRType, decodeMessage, encodeMessage, encodeWithin, record, responseTo, udpLimit,
} from '../src/dns/message.js';
import { readName } from '../src/dns/names.js';

function query(name: string, type: number, edns?: number): DnsMessage {
  return {
    id: 0x1234,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false },
    rcode: 0,
    questions: [{ name, type, class: 1 }],
    answers: [], authority: [], additional: [],
    ...(edns ? { edns: { udpSize: edns, version: 0, dnssecOk: false, options: Buffer.alloc(0) } } : {}),
  };
}

describe('DNS message', () => {
  it('round-trips every record type, compressed or not', () => {
    const msg: DnsMessage = {
      ...responseTo(query('MySvc.default.svc.cluster.local', RRType.ANY, 1232), RCode.NOERROR),
      answers: [
        record('mysvc.default.svc.cluster.local', 5, { kind: 'A', address: '10.96.0.10' }),
        record('mysvc.default.svc.cluster.local', 5, { kind: 'AAAA', address: 'fd00::a' }),
        record('www.default.svc.cluster.local', 5, { kind: 'CNAME', target: 'mysvc.default.svc.cluster.local' }),
        record('10.0.96.10.in-addr.arpa', 5, { kind: 'PTR', target: 'mysvc.default.svc.cluster.local' }),
        record('_http._tcp.mysvc.default.svc.cluster.local', 5, { kind: 'SRV', priority: 0, weight: 100, port: 80, target: 'mysvc.default.svc.cluster.local' }),
        record('dns-version.cluster.local', 5, { kind: 'TXT', texts: ['1.1.0', 'a b'] }),
        record('cluster.local', 5, { kind: 'NS', target: 'ns.dns.cluster.local' }),
      ],
      authority: [record('cluster.local', 5, { kind: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 4294967295, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 })],
      additional: [record('x.example', 60, { kind: 'RAW', bytes: Buffer.from([1, 2, 3]) }, 99)],
    };
    for (const compress of [true, false]) {
      const wire = encodeMessage(msg, { compress });
      expect(decodeMessage(wire)).toEqual(msg);
    }
    expect(encodeMessage(msg).length).toBeLessThan(encodeMessage(msg, { compress: false }).length);
  });

  it('keeps the extended RCODE in the OPT record', () => {
    const m = responseTo(query('a', RRType.A, 4096), RCode.BADVERS);
    const back = decodeMessage(encodeMessage(m))!;
    expect(back.rcode).toBe(RCode.BADVERS);
    expect(back.edns?.udpSize).toBe(4096);
    expect(() => encodeMessage({ ...m, edns: undefined })).toThrow();
  });

  it('escapes odd label bytes and reads them back', () => {
    const m = query('a\\.b.c\\032d.\\255', RRType.A);
    expect(decodeMessage(encodeMessage(m))!.questions[0]!.name).toBe('a\\.b.c\\032d.\\255');
  });

  it('truncates UDP answers over 512 bytes without EDNS, honours the EDNS size', () => {
    const q = query('big.default.svc.cluster.local', RRType.A);
    const answers = Array.from({ length: 60 }, (_, i) => record(q.questions[0]!.name, 5, { kind: 'A', address: `10.0.0.${i}` }));
    const res = { ...responseTo(q, 0), answers };
    const small = encodeWithin(res, udpLimit(q));
    expect(small.length).toBeLessThanOrEqual(512);
    const d = decodeMessage(small)!;
    expect(d.flags.tc).toBe(true);
    expect(d.answers).toHaveLength(0);
    expect(d.questions).toEqual(q.questions);

    const eq = query(q.questions[0]!.name, RRType.A, 4096);
    const big = encodeWithin({ ...responseTo(eq, 0), answers }, udpLimit(eq));
    expect(big.length).toBeGreaterThan(512);
    expect(decodeMessage(big)!.flags.tc).toBe(false);
    expect(decodeMessage(big)!.answers).toHaveLength(60);
    expect(udpLimit(query('a', 1, 100))).toBe(512); // below 512 means 512
    expect(udpLimit(query('a', 1, 65000))).toBe(4096); // our own maximum
  });

  it('drops additional records before setting TC', () => {
    const q = query('s', RRType.SRV);
    const res = {
      ...responseTo(q, 0),
      answers: [record('s', 5, { kind: 'SRV' as const, priority: 0, weight: 100, port: 80, target: 'x' })],
      additional: Array.from({ length: 40 }, (_, i) => record(`host-${i}.example.org`, 5, { kind: 'A' as const, address: `10.0.1.${i}` })),
    };
    const d = decodeMessage(encodeWithin(res, 512))!;
    expect(d.flags.tc).toBe(false);
    expect(d.answers).toHaveLength(1);
    expect(d.additional).toHaveLength(0);
  });

  it('returns undefined for malformed input, never throws', () => {
    const good = encodeMessage(query('mysvc.default.svc.cluster.local', RRType.A, 1232));
    const bad: Buffer[] = [
      Buffer.alloc(0), Buffer.alloc(11), good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from([0])]),
      // QDCOUNT 1, name is a pointer to itself
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]),
      // pointer forward
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 1, 0, 1, 0]),
      // label length past the end
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, 97, 0, 0, 1, 0, 1]),
      // reserved label type 0x40
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 97, 0, 0, 1, 0, 1]),
      // answer count 1, A record with rdlength 3
      Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3]),
      // two OPT records
      Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]),
    ];
    for (const b of bad) expect(decodeMessage(b)).toBeUndefined();
    // A name over 255 octets made of pointers backwards
    const parts: number[] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    expect(readName(Buffer.from([...parts, 63, ...new Array(63).fill(97), 0]), 12)?.name.length).toBe(63);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: 12 + (i % 80) }, () => Math.floor(Math.random() * 256)));
      expect(() => decodeMessage(junk)).not.toThrow();
    }
    // Every prefix of a valid message: undefined, never a throw
    for (let n = 0; n < good.length; n++) expect(decodeMessage(good.subarray(0, n))).toBeUndefined();
  });

  it('rejects names over 255 octets even through compression', () => {
    const hdr = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    // At 12: 63 a's then a pointer back... build 5 labels of 63 in a row: 5*64+1 = 321 > 255
    const labels: number[] = [];
    for (let i = 0; i < 5; i++) labels.push(63, ...new Array(63).fill(98));
    expect(decodeMessage(Buffer.from([...hdr, ...labels, 0, 0, 1, 0, 1]))).toBeUndefined();
  });

  it('handles IP spellings, reverse names and dashed names', () => {
    expect(canonicalIP('FD00:0:0:0:0:0:0:A')).toBe('fd00::a');
    expect(canonicalIP('::ffff:1.2.3.4')).toBe('::ffff:102:304');
    expect(reverseName('10.96.0.10')).toBe('10.0.96.10.in-addr.arpa');
    expect(ipFromReverseName('10.0.96.10.in-addr.arpa')).toBe('10.96.0.10');
    expect(ipFromReverseName('0.96.10.in-addr.arpa')).toBeUndefined();
    expect(ipFromReverseName(reverseName('fd00::a')!)).toBe('fd00::a');
    expect(ipFromDashed('10-244-1-5')).toBe('10.244.1.5');
    expect(ipFromDashed('10-244-1-500')).toBeUndefined();
    expect(ipFromDashed('fd00--a')).toBe('fd00::a');
    expect(ipFromDashed('myservice')).toBeUndefined();
  });
});

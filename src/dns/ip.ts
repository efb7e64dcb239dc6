// IP address helpers the DNS code needs and node's `net` lacks: bytes for A/AAAA rdata, one
// canonical spelling (so '10.0.0.01'-style or long IPv6 forms in a view still match a PTR
// question), reverse names (in-addr.arpa / ip6.arpa) and the dashed names pods get.
import { isIPv4, isIPv6 } from 'node:net';

/** The 4 or 16 bytes of an address, or undefined when it is not an IP literal. */
export function ipBytes(ip: string): number[] | undefined {
  if (isIPv4(ip)) return ip.split('.').map(Number);
  if (!isIPv6(ip)) return undefined;
  let text = ip.split('%')[0]!;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups first.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const b = quad[1]!.split('.').map(Number);
    text = text.slice(0, quad.index) + (((b[0]! << 8) | b[1]!).toString(16)) + ':' + (((b[2]! << 8) | b[3]!).toString(16));
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8) return undefined;
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The RFC 5952 spelling of 16 bytes (lowercase, longest zero run of 2+ groups as ::). */
export function formatIPv6(bytes: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return hex(g.slice(0, best)) + '::' + hex(g.slice(best + bestLen));
}

/** One spelling per address, or undefined for a non-IP. */
export function canonicalIP(ip: string): string | undefined {
  const b = ipBytes(ip);
  if (!b) return undefined;
  return b.length === 4 ? b.join('.') : formatIPv6(b);
}

/** '10.0.0.1' -> '1.0.0.10.in-addr.arpa'; IPv6 by nibbles under ip6.arpa. */
export function reverseName(ip: string): string | undefined {
  const b = ipBytes(ip);
  if (!b) return undefined;
  if (b.length === 4) return [...b].reverse().join('.') + '.in-addr.arpa';
  const nibbles = b.flatMap((x) => [x >> 4, x & 0xf]).reverse();
  return nibbles.map((n) => n.toString(16)).join('.') + '.ip6.arpa';
}

/**
 * The address a full reverse name stands for (lowercase name expected), or undefined for a
 * partial or malformed one: those are not a single address, so the caller forwards them.
 */
export function ipFromReverseName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const parts = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined;
    const n = parts.reverse().map((p) => parseInt(p, 16));
    const bytes: number[] = [];
    for (let i = 0; i < 32; i += 2) bytes.push((n[i]! << 4) | n[i + 1]!);
    return formatIPv6(bytes);
  }
  return undefined;
}

/** The label a pod gets under <ns>.pod.<domain>: dots (or colons) become dashes, as CoreDNS does. */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The address a dashed label stands for, in canonical form, or undefined. */
export function ipFromDashed(label: string): string | undefined {
  if (/^\d+-\d+-\d+-\d+$/.test(label)) {
    const ip = label.replace(/-/g, '.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (!/^[0-9a-f-]+$/.test(label) || !label.includes('-')) return undefined;
  return isIPv6(label.replace(/-/g, ':')) ? canonicalIP(label.replace(/-/g, ':')) : undefined;
}

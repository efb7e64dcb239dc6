// Domain names on the wire (RFC 1035 4.1.4) and in text. In text a name has no trailing dot (the
// root is ''), and a label byte that is '.', '\' or not printable is escaped as dig prints it
// ('\.', '\\', '\DDD'), so any name read off the wire survives a round trip unchanged.

const MAX_NAME = 255; // wire octets, length bytes and the root's zero included
const MAX_LABEL = 63;

/** Labels as byte strings (latin1) from a text name; undefined when a label or the name is too long. */
export function nameToLabels(name: string): Buffer[] | undefined {
  const labels: Buffer[] = [];
  if (name === '' || name === '.') return labels;
  let cur: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      const digits = /^\d{3}/.exec(name.slice(i + 1));
      if (digits) { cur.push(Number(digits[0]) & 0xff); i += 3; }
      else if (i + 1 < name.length) { cur.push(name.charCodeAt(i + 1) & 0xff); i += 1; }
      continue;
    }
    if (c === 0x2e /* . */) {
      if (cur.length === 0) return undefined; // empty label ('a..b')
      labels.push(Buffer.from(cur));
      cur = [];
      continue;
    }
    cur.push(c & 0xff);
  }
  if (cur.length > 0) labels.push(Buffer.from(cur)); // else: trailing dot, already absolute
  if (labels.some((l) => l.length > MAX_LABEL)) return undefined;
  if (labels.reduce((n, l) => n + l.length + 1, 1) > MAX_NAME) return undefined;
  return labels;
}

function labelToText(label: Buffer): string {
  let s = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b < 0x21 || b > 0x7e) s += '\\' + String(b).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Reads a possibly compressed name at `offset`. Returns the text and the offset just past the
 * name where it starts (not past a pointer's target), or undefined for a malformed name: a
 * pointer that does not point strictly backwards (loops), reserved label types, overruns.
 */
export function readName(buf: Buffer, offset: number): { name: string; next: number } | undefined {
  const parts: string[] = [];
  let pos = offset;
  let next = -1;
  let wireLen = 1;
  let lowest = offset; // every pointer must go below everything read so far: no loops
  for (;;) {
    if (pos >= buf.length) return undefined;
    const len = buf[pos]!;
    if (len === 0) { if (next < 0) next = pos + 1; break; }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return undefined;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (next < 0) next = pos + 2;
      if (target >= lowest) return undefined;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return undefined; // 0x40/0x80: extended label types, obsolete
    if (pos + 1 + len > buf.length) return undefined;
    wireLen += len + 1;
    if (wireLen > MAX_NAME) return undefined;
    parts.push(labelToText(buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return { name: parts.join('.'), next };
}

/**
 * Appends a name to `out`. With `compression` (suffix text -> offset) it points at a suffix
 * written earlier and records the new suffixes. `out` holds the message from its first byte, so
 * `out.length` is the offset a suffix starts at.
 */
export function writeName(out: number[], name: string, compression?: Map<string, number>): void {
  const labels = nameToLabels(name);
  if (!labels) throw new RangeError(`invalid domain name: ${name}`);
  for (let i = 0; i < labels.length; i++) {
    if (compression) {
      // Case-exact keys: a pointer then repeats the very bytes, so names keep their case.
      const key = labels.slice(i).map(labelToText).join('.');
      const at = compression.get(key);
      if (at !== undefined) { out.push(0xc0 | (at >> 8), at & 0xff); return; }
      if (out.length < 0x4000) compression.set(key, out.length);
    }
    out.push(labels[i]!.length, ...labels[i]!);
  }
  out.push(0);
}

/** Lowercase ASCII only: DNS names compare case-insensitively for A-Z alone (RFC 4343). */
export function lowerName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/\.$/, '');
}

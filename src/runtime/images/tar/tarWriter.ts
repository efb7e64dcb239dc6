import { BLOCK, type TarEntryType } from './tarHeader.js';

export interface TarInput {
  name: string;
  /** Default: directory when the name ends with '/', else file. */
  type?: TarEntryType;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  content?: Buffer | string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const FLAGS: Record<TarEntryType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' };

/**
 * A tar archive in memory (ustar, with a pax record for names or link targets that do not fit):
 * the images tinylet's tests, bench and `image save` build are small.
 */
export function packTar(entries: TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? (e.name.endsWith('/') ? 'directory' : 'file');
    const content = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const pax: Record<string, string> = {};
    if (Buffer.byteLength(e.name) > 100) pax.path = e.name;
    if (Buffer.byteLength(e.linkname ?? '') > 100) pax.linkpath = e.linkname!;
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      parts.push(header({ name: 'PaxHeader', flag: 'x', size: body.length, mode: 0o644 }), pad(body));
    }
    parts.push(
      header({
        name: e.name.slice(0, 100),
        flag: FLAGS[type],
        size: content.length,
        mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
        uid: e.uid,
        gid: e.gid,
        mtime: e.mtime,
        linkname: (e.linkname ?? '').slice(0, 100),
        devmajor: e.devmajor,
        devminor: e.devminor,
      }),
      pad(content),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(h: { name: string; flag: string; size: number; mode: number; uid?: number; gid?: number; mtime?: number; linkname?: string; devmajor?: number; devminor?: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime ?? 0);
  b.write(h.flag, 156, 1, 'latin1');
  b.write(h.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  octal(b, 329, 8, h.devmajor ?? 0);
  octal(b, 337, 8, h.devminor ?? 0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const v of b) sum += v;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

function octal(b: Buffer, off: number, len: number, n: number): void {
  b.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

function pad(b: Buffer): Buffer {
  const rest = b.length % BLOCK;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(BLOCK - rest)]);
}

function paxBody(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    out += `${len}${rest}`;
  }
  return Buffer.from(out);
}

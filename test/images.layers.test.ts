// OCI image layers applied to a real directory (image-spec layer.md, containerd's archive.Apply):
// whiteouts, replacement rules, metadata, links, devices, escapes out of the root, compression
// and diff IDs. Real files under os.tmpdir(); run as root (ownership, mknod).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../src/runtime/images/layers/applyLayer.js';
import { detectCompression, openLayer } from '../src/runtime/images/layers/decompress.js';
import { cleanComponents, resolveInRoot, rootPath } from '../src/runtime/images/layers/rootPath.js';
import { unpackImage } from '../src/runtime/images/layers/unpackImage.js';
import { BlobStore } from '../src/runtime/images/content/blobStore.js';
import { packTar, type TarInput } from '../src/runtime/images/tar/tarWriter.js';

let tmp: string;
let root: string;
/** A stand-in for the host, outside the root: escapes would land here. */
let host: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tinylet-layers-'));
  root = join(tmp, 'root');
  host = join(tmp, 'host');
  mkdirSync(root);
  mkdirSync(join(host, 'sub'), { recursive: true });
  writeFileSync(join(host, 'secret'), 'secret', { mode: 0o600 });
  utimesSync(join(host, 'sub'), 1234, 1234);
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function* stream(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function apply(...layers: TarInput[][]) {
  const results = [];
  for (const l of layers) results.push(await applyLayer(root, stream(packTar(l))));
  return results;
}

const at = (p: string) => join(root, p);
const read = (p: string) => readFileSync(at(p), 'utf8');
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function hostUntouched(): void {
  expect(readdirSync(host).sort()).toEqual(['secret', 'sub']);
  expect(readdirSync(join(host, 'sub'))).toEqual([]);
  const st = statSync(join(host, 'secret'));
  expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('secret');
  expect(st.mode & 0o7777).toBe(0o600);
  expect(st.nlink).toBe(1);
  expect(st.uid).toBe(0);
  expect(statSync(join(host, 'sub')).mtimeMs).toBe(1234_000);
}

function allNames(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

describe('rootPath', () => {
  it('cleans names lexically, clamping .. at the root', () => {
    expect(cleanComponents('/a/./b/../c/')).toEqual(['a', 'c']);
    expect(cleanComponents('../../etc/x')).toEqual(['etc', 'x']);
    expect(cleanComponents('./')).toEqual([]);
  });

  it('follows parent symlinks inside the root, but not the last component', () => {
    mkdirSync(at('usr/lib'), { recursive: true });
    symlinkSync('usr/lib', at('lib'));
    symlinkSync('/usr', at('abs'));
    symlinkSync('../../../../..', at('up'));
    symlinkSync(host, at('hostlink'));
    expect(resolveInRoot(root, 'lib/x.so')).toBe('usr/lib/x.so');
    expect(resolveInRoot(root, '/abs/lib/../bin')).toBe('usr/bin');
    expect(resolveInRoot(root, 'up/etc/shadow')).toBe('etc/shadow');
    expect(resolveInRoot(root, '../../../lib')).toBe('lib'); // the last component: not followed
    expect(resolveInRoot(root, 'lib/..')).toBe('usr'); // lib is a parent of `..`: followed
    expect(rootPath(root, 'hostlink/secret')).toBe(join(root, host, 'secret'));
    expect(rootPath(root, '..')).toBe(root);
  });

  it('refuses symlink loops', () => {
    symlinkSync('b', at('a'));
    symlinkSync('a', at('b'));
    expect(() => resolveInRoot(root, 'a/x')).toThrow(/too many levels of symbolic links/);
    symlinkSync('self/x', at('self'));
    expect(() => resolveInRoot(root, 'self/y')).toThrow(/too many levels/);
  });
});

describe('applyLayer', () => {
  it('creates files and directories with their modes, owners, setuid/setgid bits and mtimes', async () => {
    const umask = process.umask(0o077); // implicit parents are 0755 whatever the umask
    const [r] = await apply([
      { name: 'etc/', mode: 0o755, mtime: 1000 },
      { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, mtime: 2000 },
      { name: 'home/user/', mode: 0o700, uid: 1000, gid: 1000, mtime: 3000 },
      { name: 'home/user/.profile', content: 'PS1=$ ', mode: 0o600, uid: 1000, gid: 1001, mtime: 4000 },
      { name: 'usr/bin/su', content: '#!', mode: 0o4755, mtime: 5000 }, // usr/, usr/bin/ left out of the tar
      { name: 'opt/tool', content: 'x', mode: 0o4750, uid: 1000, gid: 1000 }, // setuid survives chown
      { name: 'usr/bin/wall', content: 'x', mode: 0o2755, gid: 5 },
      { name: 'tmp/', mode: 0o1777 },
    ]).finally(() => process.umask(umask));
    expect(r!.entries).toBe(8);
    expect(read('etc/passwd')).toBe('root:x:0:0::/root:/bin/sh\n');
    const st = (p: string) => lstatSync(at(p));
    expect(st('etc/passwd').mode & 0o7777).toBe(0o644);
    expect(st('etc/passwd').mtimeMs).toBe(2000_000);
    expect(st('etc').mtimeMs).toBe(1000_000);
    // Written into after its entry: the directory's mtime is set at the end of the layer.
    expect(st('home/user').mtimeMs).toBe(3000_000);
    expect([st('home/user').uid, st('home/user').gid, st('home/user').mode & 0o7777]).toEqual([1000, 1000, 0o700]);
    expect([st('home/user/.profile').uid, st('home/user/.profile').gid, st('home/user/.profile').mode & 0o7777]).toEqual([1000, 1001, 0o600]);
    expect(st('usr/bin/su').mode & 0o7777).toBe(0o4755);
    expect([st('opt/tool').uid, st('opt/tool').mode & 0o7777]).toEqual([1000, 0o4750]);
    expect([st('usr/bin/wall').gid, st('usr/bin/wall').mode & 0o7777]).toEqual([5, 0o2755]);
    expect(st('tmp').mode & 0o7777).toBe(0o1777);
    for (const p of ['usr', 'usr/bin', 'opt']) {
      expect([st(p).isDirectory(), st(p).mode & 0o7777, st(p).uid, st(p).gid]).toEqual([true, 0o755, 0, 0]);
    }
  });

  it('makes symlinks verbatim and hard links to the same inode', async () => {
    await apply([
      { name: 'bin/sh', content: 'shell', mode: 0o755 },
      { name: 'bin/ash', type: 'link', linkname: 'bin/sh' },
      { name: 'bin/dash', type: 'link', linkname: '/bin/sh' },
      { name: 'bin/bash', type: 'symlink', linkname: '/bin/sh', uid: 1000, gid: 1000, mtime: 777 },
      { name: 'dangling', type: 'symlink', linkname: '../nowhere/../x' },
    ]);
    const sh = lstatSync(at('bin/sh'));
    expect(lstatSync(at('bin/ash')).ino).toBe(sh.ino);
    expect(lstatSync(at('bin/dash')).ino).toBe(sh.ino);
    expect(lstatSync(at('bin/sh')).nlink).toBe(3);
    expect(readlinkSync(at('bin/bash'))).toBe('/bin/sh');
    expect(readlinkSync(at('dangling'))).toBe('../nowhere/../x');
    const bash = lstatSync(at('bin/bash'));
    expect([bash.isSymbolicLink(), bash.uid, bash.gid, bash.mtimeMs]).toEqual([true, 1000, 1000, 777_000]);
  });

  it('whiteouts remove a file and a directory tree of a lower layer, and are never created', async () => {
    await apply(
      [{ name: 'a/keep', content: 'k' }, { name: 'a/gone', content: 'g' }, { name: 'd/sub/x', content: 'x' }, { name: 'd/y', content: 'y' }],
      [{ name: 'a/.wh.gone' }, { name: '.wh.d' }, { name: 'a/.wh..wh.plnk/' }],
    );
    expect(existsSync(at('a/gone'))).toBe(false);
    expect(existsSync(at('d'))).toBe(false);
    expect(read('a/keep')).toBe('k');
    expect(allNames(root).filter((n) => n.includes('.wh.'))).toEqual([]);
  });

  it('an opaque directory hides lower contents but keeps this layer’s, whether the marker comes first or last', async () => {
    await apply(
      [
        { name: 'o/lower', content: '1' },
        { name: 'o/sub/lower2', content: '2' },
        { name: 'o2/lower', content: '3' },
        { name: 'o2/sub/lower2', content: '4' },
        { name: 'untouched/lower', content: '5' },
      ],
      [
        { name: 'o/' },
        { name: 'o/.wh..wh..opq' }, // first
        { name: 'o/new', content: 'n' },
        { name: 'o/sub/new2', content: 'n2' },
        { name: 'o2/new', content: 'm' },
        { name: 'o2/sub/new2', content: 'm2' },
        { name: 'o2/.wh..wh..opq' }, // last
      ],
    );
    expect(allNames(at('o')).sort()).toEqual(['new', 'sub', 'sub/new2']);
    expect(allNames(at('o2')).sort()).toEqual(['new', 'sub', 'sub/new2']);
    expect(read('o2/sub/new2')).toBe('m2');
    expect(read('untouched/lower')).toBe('5');
  });

  it('does not apply a whiteout to what the same layer created', async () => {
    const [, r] = await apply(
      [{ name: 'x/lower', content: 'l' }, { name: 'y/lower', content: 'l' }],
      [
        { name: 'x/mine', content: 'm' },
        { name: 'x/.wh.mine' },
        { name: 'x/.wh.lower' },
        { name: 'y/sub/mine', content: 'm' }, // a whiteout of y removes y's lower contents, not this
        { name: '.wh.y' },
      ],
    );
    expect(r!.whiteouts).toBe(3);
    expect(read('x/mine')).toBe('m');
    expect(existsSync(at('x/lower'))).toBe(false);
    expect(allNames(at('y')).sort()).toEqual(['sub', 'sub/mine']);
  });

  it('replaces a directory by a file, a file by a directory, and merges a directory over a directory', async () => {
    await apply(
      [{ name: 'p/child', content: 'c' }, { name: 'q', content: 'q' }, { name: 'm/', mode: 0o755 }, { name: 'm/f', content: 'f' }],
      [{ name: 'p', content: 'now a file' }, { name: 'q/' , mode: 0o750 }, { name: 'q/inner', content: 'i' }, { name: 'm/', mode: 0o711, uid: 1000, mtime: 99 }],
    );
    expect(lstatSync(at('p')).isFile()).toBe(true);
    expect(read('p')).toBe('now a file');
    expect(lstatSync(at('q')).isDirectory()).toBe(true);
    expect(lstatSync(at('q')).mode & 0o7777).toBe(0o750);
    expect(read('q/inner')).toBe('i');
    expect(read('m/f')).toBe('f');
    const m = lstatSync(at('m'));
    expect([m.mode & 0o7777, m.uid, m.mtimeMs]).toEqual([0o711, 1000, 99_000]);
  });

  it('never writes through symlinks to outside the root', async () => {
    const hostRel = host.slice(1);
    await apply(
      [
        { name: 'etc', type: 'symlink', linkname: host }, // absolute: relative to the root
        { name: 'x', type: 'symlink', linkname: `../../../../../../../../${hostRel}` },
        { name: 's', type: 'symlink', linkname: join(host, 'secret') },
        { name: 'dir', type: 'symlink', linkname: host },
      ],
      [
        { name: 'etc/pwned', content: 'p1' },
        { name: 'x/pwned2', content: 'p2' },
        { name: 's', content: 'replaced', mode: 0o777 }, // replaces the symlink
        { name: '../../evil', content: 'e1' },
        { name: '/abs/../../evil2', content: 'e2' },
        { name: 'etc/.wh.secret' }, // a whiteout through the symlink: inside the root, nothing there
        { name: 'etc/.wh..wh..opq' }, // opaque through the symlink: empties <root><host>, not the host
        { name: 'dir/' }, // a directory entry replaces the symlink
        { name: 'dir/sub/', mtime: 5 },
      ],
    );
    hostUntouched();
    expect(read(join(hostRel, 'pwned'))).toBe('p1');
    expect(read(join(hostRel, 'pwned2'))).toBe('p2');
    expect(lstatSync(at('s')).isFile()).toBe(true);
    expect(read('s')).toBe('replaced');
    expect(read('evil')).toBe('e1');
    expect(read('evil2')).toBe('e2');
    expect(existsSync(join(tmp, 'evil'))).toBe(false);
    expect(lstatSync(at('dir')).isDirectory()).toBe(true);
    expect(lstatSync(at('dir/sub')).mtimeMs).toBe(5000);
  });

  it('refuses a hard link to a path outside the root, naming both paths', async () => {
    const link = `../../../../..${join(host, 'secret')}`;
    await expect(apply([{ name: 'h', type: 'link', linkname: link }])).rejects.toThrow(
      new RegExp(`"h".*hard link h -> ${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*does not exist`),
    );
    await expect(apply([{ name: 'etc', type: 'symlink', linkname: host }, { name: 'h2', type: 'link', linkname: 'etc/secret' }])).rejects.toThrow(/h2 -> etc\/secret/);
    hostUntouched();
    expect(existsSync(at('h'))).toBe(false);
  });

  it('hard-links a symlink itself, never its target, and leaves the target’s mode alone', async () => {
    await apply([
      { name: 's', type: 'symlink', linkname: join(host, 'secret') },
      { name: 'h', type: 'link', linkname: 's', mode: 0o777, uid: 1000 },
    ]);
    hostUntouched();
    expect(lstatSync(at('h')).isSymbolicLink()).toBe(true);
    expect(lstatSync(at('h')).ino).toBe(lstatSync(at('s')).ino);
  });

  it('sets directory times at the end only where no later entry planted a symlink', async () => {
    await apply([
      { name: 'd/', mtime: 10 },
      { name: 'd/sub/', mtime: 20 },
      { name: 'd', type: 'symlink', linkname: host }, // d/sub now resolves to <root><host>/sub
    ]);
    hostUntouched();
    expect(lstatSync(at('d')).isSymbolicLink()).toBe(true);
  });

  it('creates FIFOs and devices', async () => {
    const [r] = await apply([
      { name: 'run/fifo', type: 'fifo', mode: 0o640, uid: 1000, mtime: 42 },
      { name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
      { name: 'dev/loop0', type: 'block', mode: 0o660, gid: 6, devmajor: 7, devminor: 0 },
    ]);
    expect(r!.skippedDevices).toBe(0);
    const fifo = lstatSync(at('run/fifo'));
    expect([fifo.isFIFO(), fifo.mode & 0o7777, fifo.uid, fifo.mtimeMs]).toEqual([true, 0o640, 1000, 42_000]);
    const dev = lstatSync(at('dev/null'));
    expect([dev.isCharacterDevice(), dev.rdev, dev.mode & 0o7777]).toEqual([true, (1 << 8) | 3, 0o666]);
    const blk = lstatSync(at('dev/loop0'));
    expect([blk.isBlockDevice(), blk.rdev, blk.gid, blk.mode & 0o7777]).toEqual([true, 7 << 8, 6, 0o660]);
  });

  it('counts the xattrs it cannot set', async () => {
    // A pax header by hand: packTar writes none for xattrs.
    const record = (k: string, v: string) => {
      const rest = ` ${k}=${v}\n`;
      let len = rest.length + 1;
      while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
      return `${len}${rest}`;
    };
    const body = Buffer.from(record('SCHILY.xattr.security.capability', 'AAAA') + record('SCHILY.xattr.user.x', 'y'));
    const tar = packTar([{ name: 'PaxHeader', content: body }, { name: 'bin/ping', content: 'ping' }]);
    tar[156] = 'x'.charCodeAt(0); // the first entry's type flag: make it a pax record…
    let sum = 0;
    tar.fill(0x20, 148, 156);
    for (let i = 0; i < 512; i++) sum += tar[i]!;
    tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1'); // …with its checksum
    const r = await applyLayer(root, stream(tar));
    expect(r.skippedXattrs).toBe(2);
    expect(read('bin/ping')).toBe('ping');
  });

  it('refuses a name with a NUL byte, naming the entry', async () => {
    const name = `${'a'.repeat(120)}\0/x`; // long: carried by a pax path record, NUL and all
    await expect(apply([{ name, content: 'x' }])).rejects.toThrow(/"a{120}\\u0000\/x": the name contains a NUL byte/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses to replace the root by a file', async () => {
    await expect(apply([{ name: './', type: 'file' }])).rejects.toThrow(/cannot replace the root/);
  });
});

describe('openLayer and unpackImage', () => {
  const layer = (entries: TarInput[]) => packTar(entries);
  const zstd = (b: Buffer) => execFileSync('zstd', ['-q', '-c'], { input: b, maxBuffer: 1 << 30 });

  async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of it) parts.push(c);
    return Buffer.concat(parts);
  }

  it('detects the compression by magic bytes', () => {
    expect(detectCompression(gzipSync('x'))).toBe('gzip');
    expect(detectCompression(zstd(Buffer.from('x')))).toBe('zstd');
    expect(detectCompression(packTar([{ name: 'a' }]))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('applies gzip, zstd and plain layers in order, checking diff IDs over the uncompressed bytes', async () => {
    const blobs = new BlobStore(join(tmp, 'blobs'));
    const l0 = layer([{ name: 'etc/os-release', content: 'gzip' }, { name: 'etc/gone', content: 'x' }]);
    const l1 = layer([{ name: 'etc/zstd', content: 'zstd' }, { name: 'etc/.wh.gone' }]);
    // Tar writers pad to their record size (GNU tar: 10 KiB, more with -b): the zeros after the end
    // blocks count in the diff ID. More than one read's worth here, so they must be read past the tar's end.
    const l2 = Buffer.concat([layer([{ name: 'etc/plain', content: 'plain' }]), Buffer.alloc(256 << 10)]);
    const digests = [
      (await blobs.ingestBuffer(gzipSync(l0))).digest,
      (await blobs.ingestBuffer(zstd(l1))).digest,
      (await blobs.ingestBuffer(l2)).digest,
    ];
    const target = join(tmp, 'rootfs');
    const seen: number[] = [];
    await unpackImage(blobs, digests.map((digest) => ({ digest })), [sha256(l0), sha256(l1), sha256(l2)], target, (i) => seen.push(i));
    expect(seen).toEqual([0, 1, 2]);
    expect(readdirSync(join(target, 'etc')).sort()).toEqual(['os-release', 'plain', 'zstd']);
    expect(readFileSync(join(target, 'etc/zstd'), 'utf8')).toBe('zstd');
    expect(statSync(target).mode & 0o7777).toBe(0o755);
  });

  it('rejects a diff ID mismatch, and a layer count that does not match', async () => {
    const blobs = new BlobStore(join(tmp, 'blobs'));
    const l0 = layer([{ name: 'a', content: 'a' }]);
    const { digest } = await blobs.ingestBuffer(gzipSync(l0));
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(unpackImage(blobs, [{ digest }], [wrong], join(tmp, 't1'))).rejects.toThrow(`layer 0: diff ID mismatch: expected ${wrong}, got ${sha256(l0)}`);
    // The diff ID is of the uncompressed bytes, not the blob's digest.
    await expect(unpackImage(blobs, [{ digest }], [digest], join(tmp, 't2'))).rejects.toThrow(/diff ID mismatch/);
    await expect(unpackImage(blobs, [{ digest }], [], join(tmp, 't3'))).rejects.toThrow(/1 layers but 0 diff IDs/);
  });

  it('lets a ./ entry change the target’s own mode', async () => {
    const blobs = new BlobStore(join(tmp, 'blobs'));
    const l0 = layer([{ name: './', mode: 0o700 }, { name: './a', content: 'a' }]);
    const { digest } = await blobs.ingestBuffer(l0);
    const target = join(tmp, 'rootfs');
    await unpackImage(blobs, [{ digest }], [sha256(l0)], target);
    expect(statSync(target).mode & 0o7777).toBe(0o700);
  });

  it('rejects corrupt and truncated gzip, and corrupt zstd, as rejected iterations', async () => {
    const tar = layer([{ name: 'a', content: 'a'.repeat(5000) }, { name: 'b', content: randomBytes(20000) }]);
    const gz = gzipSync(tar);
    const corrupt = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(200, 0xaa)]);
    const truncated = gz.subarray(0, gz.length - 6); // the trailer cut
    const badZstd = Buffer.concat([zstd(tar).subarray(0, 12), Buffer.alloc(200, 0xaa)]);
    const files = { corrupt, truncated, badZstd };
    for (const [n, b] of Object.entries(files)) writeFileSync(join(tmp, n), b);
    await expect(collect(openLayer(join(tmp, 'corrupt')))).rejects.toThrow();
    await expect(collect(openLayer(join(tmp, 'truncated')))).rejects.toThrow(/unexpected end of file/);
    await expect(collect(openLayer(join(tmp, 'badZstd')))).rejects.toThrow(/zstd -dc failed/);

    const blobs = new BlobStore(join(tmp, 'blobs'));
    for (const b of Object.values(files)) {
      const { digest } = await blobs.ingestBuffer(b);
      await expect(unpackImage(blobs, [{ digest }], [sha256(tar)], join(tmp, 'rootfs'))).rejects.toThrow(/layer 0/);
    }
  });

  it('names the package when the zstd binary is missing', async () => {
    writeFileSync(join(tmp, 'l.zst'), zstd(layer([{ name: 'a' }])));
    await expect(collect(openLayer(join(tmp, 'l.zst'), { zstdBinary: join(tmp, 'no-zstd-here') }))).rejects.toThrow(/apt-get install zstd/);
  });

  it('kills and reaps zstd when the consumer stops early', async () => {
    writeFileSync(join(tmp, 'big.zst'), zstd(Buffer.alloc(32 << 20)));
    const zstdChildren = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return stat.includes('(zstd)') && Number(fields[1]) === process.pid;
          } catch {
            return false;
          }
        });
    let chunks = 0;
    for await (const chunk of openLayer(join(tmp, 'big.zst'))) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(zstdChildren()).toHaveLength(1); // running, blocked on the full pipe
      if (++chunks === 2) break;
    }
    expect(zstdChildren()).toEqual([]); // killed, and reaped: not even a zombie
  });

  it('streams a 10 MB file', async () => {
    const big = randomBytes(10 << 20);
    const tar = layer([{ name: 'data/big.bin', content: big, mode: 0o600 }, { name: 'data/after', content: 'after' }]);
    const blobs = new BlobStore(join(tmp, 'blobs'));
    const { digest } = await blobs.ingestBuffer(gzipSync(tar, { level: 1 }));
    let chunks = 0;
    for await (const c of openLayer(blobs.path(digest))) {
      chunks++;
      expect(c.length).toBeLessThanOrEqual(1 << 20);
    }
    expect(chunks).toBeGreaterThan(10); // a stream of chunks, not one buffer
    const target = join(tmp, 'rootfs');
    await unpackImage(blobs, [{ digest }], [sha256(tar)], target);
    expect(sha256(readFileSync(join(target, 'data/big.bin')))).toBe(sha256(big));
    expect(readFileSync(join(target, 'data/after'), 'utf8')).toBe('after');
  });
});

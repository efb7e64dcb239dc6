/** What a tar entry is, after pax and GNU long-name records are folded into it. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  /** The path as the archive has it (`./etc/passwd`, `etc/`): callers clean it. */
  name: string;
  type: TarEntryType;
  /** Permission bits with setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (fractional with pax). */
  mtime: number;
  /** Symlink target, or the hard link's target path in the archive. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** The entry's pax records (SCHILY.xattr.*, ...), global ones included. */
  pax: Record<string, string>;
}

export class TarFormatError extends Error {}

export const BLOCK = 512;

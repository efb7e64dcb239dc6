// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files are written into a
// new timestamped directory `..2026_12_03_16_40_00.123456789`, then the `..data` symlink is pointed
// at it with one rename, so a reader sees the old set of files or the new one, never a mix. The
// user-visible names are symlinks `key -> ..data/key`, created once; the old directory goes last.
import { randomInt } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (0..0777). */
  mode: number;
  /** Owner of the file (a projected token with runAsUser), else root. */
  fsUser?: number;
}

/** Relative path in the volume -> file. */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const MAX_PATH = 4096;
const MAX_SEGMENT = 255;

/** The payload's paths as the writer takes them: relative, no `..` element, not starting with `..` (validatePath). */
export function validatePayloadPath(path: string): string {
  if (path === '') throw new Error('invalid path: must not be empty');
  if (path.length > MAX_PATH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  if (posix.isAbsolute(path)) throw new Error(`invalid path: must be relative path: ${path}`);
  const segments = path.split('/');
  if (segments.includes('..')) throw new Error(`invalid path: must not contain '..': ${path}`);
  if (path.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${path}`);
  for (const s of segments) if (s.length > MAX_SEGMENT) throw new Error(`invalid path: segments must be less than or equal to ${MAX_SEGMENT} characters`);
  return posix.normalize(path);
}

/** `..2006_01_02_15_04_05.` of now, in UTC, as the kubelet names its timestamped directories. */
function timestampPrefix(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

export class AtomicWriter {
  constructor(readonly targetDir: string) {}

  /**
   * Writes the payload if it differs from what `..data` holds. `setPerms` runs on the new
   * directory's name before it becomes visible (fsGroup ownership). True when something was written.
   */
  write(payload: Payload, setPerms?: (tsDirName: string) => void): boolean {
    const clean: Payload = new Map();
    for (const [path, file] of payload) clean.set(validatePayloadPath(path), file);
    mkdirSync(this.targetDir, { recursive: true });
    const oldTsName = this.currentTsDir();
    const oldTsDir = oldTsName ? join(this.targetDir, oldTsName) : undefined;
    const wanted = new Set([...clean.keys()].map((p) => p.split('/')[0]!));
    const previous = oldTsDir ? this.topLevelNames(oldTsDir) : new Set<string>();
    if (oldTsDir && !this.differs(clean, oldTsDir) && [...wanted].every((n) => this.isUserLink(n))) return false;
    const tsName = this.newTsDir();
    const tsDir = join(this.targetDir, tsName);
    try {
      for (const [path, file] of clean) {
        const full = join(tsDir, path);
        mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
        writeFileSync(full, file.data, { mode: file.mode });
        chmodSync(full, file.mode);
        if (file.fsUser !== undefined) chownSync(full, file.fsUser, -1);
      }
      setPerms?.(tsName);
      for (const name of wanted) this.ensureUserLink(name);
      const tmp = join(this.targetDir, DATA_DIR_TMP);
      rmSync(tmp, { force: true });
      symlinkSync(tsName, tmp);
      renameSync(tmp, join(this.targetDir, DATA_DIR));
    } catch (err) {
      rmSync(tsDir, { recursive: true, force: true });
      throw err;
    }
    for (const name of previous) if (!wanted.has(name) && this.isUserLink(name)) unlinkSync(join(this.targetDir, name));
    if (oldTsDir) rmSync(oldTsDir, { recursive: true, force: true });
    return true;
  }

  private currentTsDir(): string | undefined {
    try {
      const target = readlinkSync(join(this.targetDir, DATA_DIR));
      return existsSync(join(this.targetDir, target)) ? target : undefined;
    } catch {
      return undefined;
    }
  }

  /** os.MkdirTemp with the timestamp prefix: a random number after it, then 0755 whatever the umask. */
  private newTsDir(): string {
    for (;;) {
      const name = timestampPrefix(new Date()) + String(randomInt(0, 2 ** 32));
      try {
        mkdirSync(join(this.targetDir, name), { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      chmodSync(join(this.targetDir, name), 0o755);
      return name;
    }
  }

  private topLevelNames(tsDir: string): Set<string> {
    try {
      return new Set(readdirSync(tsDir));
    } catch {
      return new Set();
    }
  }

  /** Whether the payload's set of files or their contents differ from the directory's (as the kubelet, modes are not compared). */
  private differs(payload: Payload, tsDir: string): boolean {
    const existing = new Set<string>();
    const walk = (dir: string, rel: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(join(dir, e.name), r);
        else existing.add(r);
      }
    };
    walk(tsDir, '');
    if (existing.size !== payload.size) return true;
    for (const [path, file] of payload) {
      if (!existing.has(path)) return true;
      if (!readFileSync(join(tsDir, path)).equals(file.data)) return true;
    }
    return false;
  }

  private isUserLink(name: string): boolean {
    try {
      return lstatSync(join(this.targetDir, name)).isSymbolicLink();
    } catch {
      return false;
    }
  }

  private ensureUserLink(name: string): void {
    const path = join(this.targetDir, name);
    if (this.isUserLink(name)) return;
    rmSync(path, { recursive: true, force: true }); // a plain file an older layout left
    symlinkSync(posix.join(DATA_DIR, name), path);
  }
}

import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * The kubelet's LogRotatePolicy (pkg/kubelet/logs/container_log_manager.go): a log file is rotated
 * once it would grow past maxSize (negative: never), and at most maxFiles files exist for it, the
 * current one included.
 */
export interface RotationPolicy {
  maxSize: number;
  maxFiles: number;
}

const COMPRESS_SUFFIX = '.gz';
const TMP_SUFFIX = '.tmp';

/** Go's "20060102-150405" (the kubelet's timestampFormat), in local time as time.Now().Format gives it. */
export function rotationTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Rotated files are `<log>.<timestamp>` as the kubelet names them. The kubelet rotates at most once per
 * monitoring period (10 s); rotating inline, a chatty container can rotate several times in one second,
 * so later rotations of the same second get `.<n>` (the kubelet would overwrite the earlier file).
 */
export interface RotatedName {
  name: string;
  stamp: string;
  seq: number;
  compressed: boolean;
  tmp: boolean;
}

export function parseRotatedName(log: string, name: string): RotatedName | undefined {
  const base = basename(log);
  if (!name.startsWith(`${base}.`)) return undefined;
  const m = /^(\d{8}-\d{6})(?:\.(\d+))?(\.gz)?(\.tmp)?$/.exec(name.slice(base.length + 1));
  if (!m) return undefined;
  return { name, stamp: m[1]!, seq: m[2] ? Number(m[2]) : 0, compressed: m[3] !== undefined, tmp: m[4] !== undefined };
}

/** Oldest first (the kubelet sorts names; with `.<n>` names a plain string sort would misorder them). */
function byAge(a: RotatedName, b: RotatedName): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.seq - b.seq;
}

/** The rotated files of one log, oldest first, without temporary or already-compressed leftovers. */
export async function rotatedLogs(log: string): Promise<{ inUse: RotatedName[]; unused: RotatedName[] }> {
  let names: string[];
  try {
    names = await readdir(dirname(log));
  } catch {
    return { inUse: [], unused: [] };
  }
  const all = names.map((n) => parseRotatedName(log, n)).filter((r): r is RotatedName => r !== undefined);
  const present = new Set(all.map((r) => r.name));
  // The kubelet's isInUse: temporary files are not, nor an uncompressed file whose .gz exists.
  const unused = all.filter((r) => r.tmp || (!r.compressed && present.has(r.name + COMPRESS_SUFFIX)));
  const inUse = all.filter((r) => !unused.includes(r)).sort(byAge);
  return { inUse, unused };
}

/** gzip to `<file>.tmp`, rename to `<file>.gz`, remove the original: never a half-written .gz. */
async function compressLog(path: string): Promise<void> {
  const tmp = path + TMP_SUFFIX;
  try {
    await pipeline(createReadStream(path), createGzip(), createWriteStream(tmp, { flags: 'w' }));
    await rename(tmp, path + COMPRESS_SUFFIX);
    await unlink(path);
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Per log file: the last rotation's timestamp and sequence, so names stay unique within a second. */
export interface RotationState {
  stamp?: string;
  seq: number;
}

/**
 * The kubelet's rotateLog for a closed current file: clean up leftovers, remove the oldest rotated
 * files so that at most maxFiles remain once the current file is rotated and a new one created,
 * compress the rotated ones, then rename the current file to `<log>.<timestamp>` (left uncompressed,
 * so a reader that had it open can finish it). Compression is best effort: on a full disk the file
 * stays uncompressed, which does not change the count. Anything else failing rejects, and the caller
 * keeps the current file.
 */
export async function rotateLogFile(log: string, policy: RotationPolicy, state: RotationState, now = new Date()): Promise<string> {
  const dir = dirname(log);
  const { inUse, unused } = await rotatedLogs(log);
  for (const r of unused) await rm(join(dir, r.name), { force: true });
  const keep = Math.max(0, policy.maxFiles - 2);
  const excess = inUse.length - keep;
  for (const r of inUse.slice(0, Math.max(0, excess))) await rm(join(dir, r.name), { force: true });
  for (const r of inUse.slice(Math.max(0, excess))) {
    if (!r.compressed) await compressLog(join(dir, r.name)).catch(() => undefined);
  }
  const stamp = rotationTimestamp(now);
  state.seq = state.stamp === stamp ? state.seq + 1 : 0;
  state.stamp = stamp;
  const rotated = `${log}.${stamp}${state.seq > 0 ? `.${state.seq}` : ''}`;
  await rename(log, rotated);
  return rotated;
}

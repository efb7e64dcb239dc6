import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Container, Pod, Volume } from '../api/types.js';

/** Host directory backing each of the pod's volumes, prepared once per pod (sandbox). */
export function preparePodVolumes(pod: Pod, podDir: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const vol of pod.spec?.volumes ?? []) {
    sources.set(vol.name, prepareVolume(vol, join(podDir, 'volumes', vol.name)));
  }
  return sources;
}

function prepareVolume(vol: Volume, emptyDirPath: string): string {
  if (vol.emptyDir) {
    mkdirSync(emptyDirPath, { recursive: true, mode: 0o777 });
    if (vol.emptyDir.medium === 'Memory') execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=1777', `tinylet-${vol.name}`, emptyDirPath]);
    return emptyDirPath;
  }
  if (vol.hostPath) {
    const { path, type = '' } = vol.hostPath;
    if (type === 'DirectoryOrCreate' || (type === '' && !existsSync(path))) mkdirSync(path, { recursive: true, mode: 0o755 });
    if (type === 'FileOrCreate' && !existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '', { mode: 0o644 });
    }
    checkHostPathType(path, type);
    return path;
  }
  throw new Error(`volume "${vol.name}": unsupported volume source`);
}

function checkHostPathType(path: string, type: string): void {
  if (type === '' || type === 'DirectoryOrCreate' || type === 'FileOrCreate') return;
  if (!existsSync(path)) throw new Error(`hostPath type check failed: ${path} does not exist (type ${type})`);
  const st = statSync(path);
  const ok =
    (type === 'Directory' && st.isDirectory()) ||
    (type === 'File' && st.isFile()) ||
    (type === 'Socket' && st.isSocket()) ||
    (type === 'CharDevice' && st.isCharacterDevice()) ||
    (type === 'BlockDevice' && st.isBlockDevice());
  if (!ok) throw new Error(`hostPath type check failed: ${path} is not a ${type}`);
}

/** Bind specs (`src:dst[:ro]`) for a container's volumeMounts. */
export function volumeBinds(container: Container, sources: Map<string, string>): string[] {
  return (container.volumeMounts ?? []).map((m) => {
    const base = sources.get(m.name);
    if (!base) throw new Error(`volumeMounts "${m.name}": no such volume`);
    const src = m.subPath ? join(base, m.subPath) : base;
    if (m.subPath && !existsSync(src)) mkdirSync(src, { recursive: true });
    return `${src}:${m.mountPath}${m.readOnly ? ':ro' : ''}`;
  });
}

/** Unmounts memory-backed emptyDirs and removes the pod's emptyDir data. */
export function removePodVolumes(pod: Pod, podDir: string): void {
  for (const vol of pod.spec?.volumes ?? []) {
    if (!vol.emptyDir) continue;
    const path = join(podDir, 'volumes', vol.name);
    if (vol.emptyDir.medium === 'Memory') {
      try {
        execFileSync('umount', [path], { stdio: 'ignore' });
      } catch {
        /* not mounted */
      }
    }
  }
  rmSync(join(podDir, 'volumes'), { recursive: true, force: true });
}

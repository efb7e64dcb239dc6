import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Container, Pod, Volume } from '../api/types.js';
import type { Bind } from './containerSpec.js';

/**
 * Volumes the kubelet writes from API objects (configMap, secret, downwardAPI, projected: the
 * AtomicWriter volumes of kubelet/volumes/), mounted read-only; preparePodVolumes leaves them out.
 */
export function isWrittenVolume(v: Volume): boolean {
  return v.configMap !== undefined || v.secret !== undefined || v.downwardAPI !== undefined || v.projected !== undefined;
}

/** `<podDir>/volumes`, 0700: the data of a pod's volumes (Secrets among them) is for root on the host. */
export function podVolumesDir(podDir: string): string {
  const dir = join(podDir, 'volumes');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Host directory backing each of the pod's emptyDir and hostPath volumes, prepared once per pod (sandbox). */
export function preparePodVolumes(pod: Pod, podDir: string): Map<string, string> {
  const sources = new Map<string, string>();
  podVolumesDir(podDir);
  for (const vol of pod.spec?.volumes ?? []) {
    if (isWrittenVolume(vol)) continue;
    const path = prepareVolume(vol, join(podDir, 'volumes', vol.name));
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    if (vol.emptyDir && fsGroup !== undefined) applyFsGroup(path, fsGroup);
    sources.set(vol.name, path);
  }
  return sources;
}

/**
 * fsGroup, as the kubelet's SetVolumeOwnership applies it to a volume it owns: group-owned by the
 * fsGroup, group read-write, setgid so that new files inherit the group. (A fresh emptyDir holds
 * only its own directory.)
 */
function applyFsGroup(path: string, fsGroup: number): void {
  chownSync(path, -1, fsGroup);
  chmodSync(path, (statSync(path).mode & 0o7777) | 0o2070);
}

function prepareVolume(vol: Volume, emptyDirPath: string): string {
  if (vol.emptyDir) {
    mkdirSync(emptyDirPath, { recursive: true, mode: 0o777 });
    // 0777 whatever the umask, as the kubelet makes it: any container user may write to it.
    chmodSync(emptyDirPath, 0o777);
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

/**
 * Binds for a container's volumeMounts; the launcher resolves subPath beneath the volume and the
 * target inside the root. Volumes in `readOnlyVolumes` are mounted read-only whatever the mount says
 * (the kubelet's configMap, secret, downwardAPI and projected volumes are).
 */
export function volumeBinds(container: Container, sources: Map<string, string>, readOnlyVolumes: ReadonlySet<string> = new Set()): Bind[] {
  return (container.volumeMounts ?? []).map((m) => {
    const src = sources.get(m.name);
    if (!src) throw new Error(`volumeMounts "${m.name}": no such volume`);
    return { src, ...(m.subPath ? { sub: m.subPath } : {}), dst: m.mountPath, readOnly: m.readOnly === true || readOnlyVolumes.has(m.name) };
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

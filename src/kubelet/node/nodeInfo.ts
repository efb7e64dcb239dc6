// What the kubelet reports about its machine (pkg/kubelet/nodestatus setters): labels, addresses,
// capacity, NodeSystemInfo and the images, read from the host. Reading is cheap and done once at
// registration, except the images (the store changes).
import { readFileSync, statfsSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { ContainerImage, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { ImageStore } from '../../runtime/images/imageStore.js';
import { packageRoot } from '../../runtime/paths.js';
import { nodeAllocatable } from '../resourceFieldRef.js';

/** The kubelet's version, as the API's /version names it (server/discovery.ts, openapi.ts). */
export const KUBELET_VERSION = 'v1.33.0-tinylet';

/** The kubelet's nodeStatusMaxImages. */
export const NODE_STATUS_MAX_IMAGES = 50;

/** The kubelet's default maxPods. */
export const MAX_PODS = 110;

/** GOARCH of this machine. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  return map[arch] ?? arch;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME of /etc/os-release (unquoted), or "Linux" as the kubelet falls back to. */
export function osImage(text = readTrimmed('/etc/os-release')): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m) return 'Linux';
  const v = m[1]!.trim();
  return v.replace(/^(["'])(.*)\1$/, '$2') || 'Linux';
}

let version: string | undefined;
function packageVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0');
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

/** NodeSystemInfo as the kubelet's MachineInfo and VersionInfo setters fill it. */
export function systemInfo(): NodeSystemInfo {
  return {
    machineID: readTrimmed('/etc/machine-id'),
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid').toLowerCase(),
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    containerRuntimeVersion: `tinylet://${packageVersion()}`,
    kubeletVersion: KUBELET_VERSION,
    // Not set since 1.31 (DisableNodeKubeProxyVersion): kubectl describe prints it empty.
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: goArch(),
  };
}

/** The labels the kubelet sets on its node (initialNode, and the well-known ones it reconciles). */
export function nodeLabels(nodeName: string): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': nodeName.toLowerCase(),
    'kubernetes.io/os': 'linux',
  };
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

/** capacity (= allocatable: tinylet reserves nothing for system daemons) as quantities. */
export function nodeCapacity(stateDir: string): Record<string, string> {
  const a = nodeAllocatable(stateDir);
  return {
    cpu: String(a.cpu),
    'ephemeral-storage': ki(a['ephemeral-storage']),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: ki(a.memory),
    pods: String(MAX_PODS),
  };
}

/** Free space of the state dir's filesystem, as fractions (DiskPressure: nodefs.available < 10%, inodesFree < 5%). */
export function diskFree(stateDir: string): { bytes: number; inodes: number } {
  try {
    const fs = statfsSync(stateDir);
    return { bytes: fs.blocks ? fs.bavail / fs.blocks : 1, inodes: fs.files ? fs.ffree / fs.files : 1 };
  } catch {
    return { bytes: 1, inodes: 1 };
  }
}

/** MemAvailable of /proc/meminfo in bytes (MemoryPressure: memory.available < 100Mi). */
export function memoryAvailable(text = readTrimmed('/proc/meminfo')): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/**
 * The images setter: the runtime's images, largest first, at most nodeStatusMaxImages, each with its
 * names (repo digest and tags) and size. Host-backed catalog images are no runtime images: not listed.
 */
export function nodeImages(store: ImageStore): ContainerImage[] {
  const byId = new Map<string, { names: Set<string>; size: number }>();
  for (const img of store.list()) {
    const entry = byId.get(img.configDigest) ?? { names: new Set<string>(), size: img.size };
    if (img.repository && img.manifestDigest) entry.names.add(`${img.repository}@${img.manifestDigest}`);
    if (!img.reference.startsWith('sha256:')) entry.names.add(img.reference);
    entry.size = Math.max(entry.size, img.size);
    byId.set(img.configDigest, entry);
  }
  return [...byId.values()]
    .filter((e) => e.names.size > 0)
    .sort((a, b) => b.size - a.size)
    .slice(0, NODE_STATUS_MAX_IMAGES)
    .map((e) => ({ names: [...e.names].sort(), sizeBytes: e.size }));
}

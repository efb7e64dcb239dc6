import type { Descriptor } from './ociDescriptors.js';

/** Node's process.arch as GOARCH, the names image indexes use. */
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

export interface HostPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export function hostPlatform(): HostPlatform {
  const architecture = GOARCH[process.arch] ?? process.arch;
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const v = Number((process.config.variables as { arm_version?: string }).arm_version ?? 7);
    return { os: 'linux', architecture, variant: `v${v}` };
  }
  return { os: 'linux', architecture };
}

export function platformString(p: { os: string; architecture: string; variant?: string }): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** BuildKit's provenance and SBOM manifests: in image indexes beside the images, never runnable. */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown');
}

/**
 * The entry of an image index to run here, as containerd's platforms.Default() orders them: the
 * host's os/architecture with its own variant first, then an older variant it runs (arm v7 runs v6
 * and v5; arm64's variant defaults to v8), then an entry with no platform at all. Attestation
 * manifests are never chosen. -1 when nothing fits.
 */
export function choosePlatformIndex(manifests: readonly Descriptor[], host: HostPlatform = hostPlatform()): number {
  let best = -1;
  let bestRank = 0;
  manifests.forEach((d, i) => {
    if (isAttestation(d)) return;
    const rank = platformRank(d, host);
    if (rank > bestRank) {
      best = i;
      bestRank = rank;
    }
  });
  return best;
}

function platformRank(d: Descriptor, host: HostPlatform): number {
  const p = d.platform;
  if (!p) return 1;
  if (p.os !== host.os || p.architecture !== host.architecture) return 0;
  const want = host.variant ?? '';
  const have = p.variant ?? '';
  if (have === want || (host.architecture === 'arm64' && (have === '' || have === 'v8'))) return 100;
  if (host.architecture === 'arm' && /^v\d+$/.test(have) && /^v\d+$/.test(want)) {
    const h = Number(have.slice(1));
    const w = Number(want.slice(1));
    return h <= w ? 50 + h : 0;
  }
  return have === '' ? 40 : 0;
}

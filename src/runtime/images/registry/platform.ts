// Which entry of an image index (a multi-platform image) this host runs. The ranking is the one image
// archives use (containerd's platforms.Default(): exact variant, then an older one, then none);
// attestation manifests (BuildKit provenance/SBOM, "unknown/unknown") are never candidates.
import { choosePlatformIndex, hostPlatform, isAttestation, platformString, type HostPlatform } from '../archive/platformChoice.js';
import type { Descriptor } from '../archive/ociDescriptors.js';

export type { Descriptor, HostPlatform };
export { hostPlatform, platformString };

export class NoMatchingPlatformError extends Error {}

export function selectPlatformManifest(manifests: readonly Descriptor[], platform: HostPlatform = hostPlatform()): Descriptor {
  const i = choosePlatformIndex(manifests, platform);
  if (i >= 0) return manifests[i];
  const offered = manifests.filter((d) => !isAttestation(d)).map((d) => (d.platform ? platformString(d.platform) : 'no platform'));
  throw new NoMatchingPlatformError(
    `no match for platform in manifest: the image is for ${offered.length ? [...new Set(offered)].join(', ') : 'no platform at all (only attestations)'}, not ${platformString(platform)}`,
  );
}

import { RegistryError } from '../../runtime/images/registry/pullImage.js';

const OFFLINE_HINT =
  ' (tinylet: the registry cannot be reached from here: `tinylet image load` a `docker save` archive of the image, or map the name to host programs under "images:" in the agent config)';

/**
 * What containerd tells the kubelet when a pull fails, which the kubelet puts after `Failed to pull
 * image "x": `: the gRPC status (NotFound for a reference the registry does not have) and
 * containerd's `failed to pull and unpack image` around the cause.
 */
export function pullErrorText(normalized: string, err: unknown): string {
  const cause = err instanceof Error ? err.message : String(err);
  const code = err instanceof RegistryError && err.code === 'not-found' ? 'NotFound' : 'Unknown';
  const text = `rpc error: code = ${code} desc = failed to pull and unpack image "${normalized}": ${cause}`;
  // On a machine without a way to the registry (a workshop VM), say what works instead.
  return err instanceof RegistryError && err.code === 'unavailable' ? `${text}${OFFLINE_HINT}` : text;
}

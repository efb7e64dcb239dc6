import { invalidImageNameMessage } from '../../runtime/images/distributionReference.js';
import { pullIntoStore } from '../../runtime/images/pullIntoStore.js';
import { parseImageReference } from '../../runtime/images/reference.js';
import { formatGoDuration } from '../../kubelet/duration.js';
import { UsageError } from '../usageError.js';
import { imageStoreOf } from './imageStoreOf.js';

/** `tinylet image pull REF`: progress on stderr, the image's reference and digest on stdout. */
export async function imagePullCommand(image: string, opts: { config?: string }): Promise<number> {
  const invalid = invalidImageNameMessage(image);
  if (invalid) throw new UsageError(`error: ${invalid}`);
  const { store, config } = imageStoreOf(opts);
  const ref = parseImageReference(image);
  const started = performance.now();
  const layers = new Set<string>();
  const stored = await pullIntoStore(store, ref.normalized, config.registries, (p) => {
    if (p.phase === 'layer' && p.digest && p.bytes !== undefined && p.bytes === p.total && !layers.has(p.digest)) {
      layers.add(p.digest);
      process.stderr.write(`${p.digest.slice(7, 19)}: done (${p.total} bytes)\n`);
    } else if (p.phase === 'resolving' || p.phase === 'manifest') {
      process.stderr.write(`${p.message}\n`);
    }
  });
  process.stderr.write(`pulled in ${formatGoDuration(Math.trunc(performance.now() - started))}, ${stored.size} bytes\n`);
  console.log(`${stored.reference}${stored.manifestDigest ? ` ${stored.manifestDigest}` : ''}`);
  return 0;
}

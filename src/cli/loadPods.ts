import type { Pod } from '../api/types.js';
import { formatFieldErrors } from '../api/fieldErrors.js';
import { parseManifests, readManifestSource } from '../api/manifest.js';
import { validateObjects } from '../api/validate.js';

export class UsageError extends Error {}

/** Reads and validates manifests; every problem is listed, and nothing is started if any. */
export async function loadPods(path: string, lenient: boolean): Promise<{ pods: Pod[]; warnings: string[] }> {
  const { text, source } = await readManifestSource(path);
  const docs = parseManifests(text, source);
  const result = validateObjects(docs, { lenient });
  if (result.errors.length > 0) {
    throw new UsageError(`error: ${source} is invalid:\n${formatFieldErrors(result.errors).map((l) => `  * ${l}`).join('\n')}`);
  }
  if (result.pods.length === 0) throw new UsageError(`error: no Pod found in ${source}`);
  return { pods: result.pods, warnings: formatFieldErrors(result.warnings).map((l) => `Warning: ${l}`) };
}

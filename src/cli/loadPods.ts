import type { Pod } from '../api/types.js';
import { type FieldError, formatFieldErrors } from '../api/fieldErrors.js';
import { type ManifestDoc, parseManifests, readManifestSource } from '../api/manifest.js';
import { attributeFindings, planKinds } from '../api/servedKinds.js';
import { describeDoc, validateObjects } from '../api/validate.js';
import { fieldErrorsToJson } from './jsonErrors.js';
import { lenientWording } from './lenientWording.js';
import { UsageError } from './usageError.js';

export { UsageError } from './usageError.js';

export interface LoadOptions {
  /** Warn about what tinylet does not implement or serve, instead of refusing the manifest. */
  lenient?: boolean;
  /** Run the pod template of a Deployment, Job... as a Pod (see workloadAsPod.ts). */
  asPod?: boolean;
}

export interface LoadedPods {
  pods: Pod[];
  /**
   * The file's other served objects (Services, Endpoints, EndpointSlices, ConfigMaps, Secrets), as
   * written, in input order: to be created before the pods; the server validates them.
   */
  objects: Record<string, any>[];
  /** `Warning: ...` lines, for stderr. */
  warnings: string[];
  /** What --as-pod made of each workload, for stderr. */
  notes: string[];
}

/** Findings sorted by the object they are about, as the objects come in the input (a stable sort: each object's own order stays). */
function inInputOrder(findings: FieldError[], docs: ManifestDoc[]): FieldError[] {
  const order = new Map(docs.map((d) => [describeDoc(d), d.index]));
  return [...findings].sort((a, b) => (order.get(a.object ?? '') ?? -1) - (order.get(b.object ?? '') ?? -1));
}

/** Reads and validates manifests; every problem is listed, and nothing is started if any. */
export async function loadPods(path: string, options: boolean | LoadOptions = {}): Promise<LoadedPods> {
  const opts = typeof options === 'boolean' ? { lenient: options } : options;
  const { text, source } = await readManifestSource(path);
  const docs = parseManifests(text, source);
  const plan = planKinds(docs, { lenient: opts.lenient, asPod: opts.asPod });
  const result = validateObjects(plan.docs, { lenient: opts.lenient });
  const errors = inInputOrder([...attributeFindings(result.errors, plan, docs.length), ...plan.refused], docs);
  if (errors.length > 0) {
    const head = result.errors.length > 0 ? `${source} is invalid` : `${source} has objects tinylet does not serve`;
    throw new UsageError(`error: ${head}:\n${formatFieldErrors(errors).map((l) => `  * ${l}`).join('\n')}`, fieldErrorsToJson(errors, source));
  }
  const warnings = inInputOrder([...plan.skipped, ...attributeFindings(result.warnings, plan, docs.length)], docs);
  if (result.pods.length === 0) {
    const message = `no Pod found in ${source}${plan.skipped.length ? ': every object was skipped (see the warnings above)' : ''}`;
    throw new UsageError(`${formatFieldErrors(warnings).map((w) => `Warning: ${lenientWording(w)}\n`).join('')}error: ${message}`, [{ source, message }]);
  }
  return { pods: result.pods, objects: result.objects, warnings: formatFieldErrors(warnings).map((w) => `Warning: ${lenientWording(w)}`), notes: plan.notes };
}

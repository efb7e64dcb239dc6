import { type FieldError, formatFieldErrors, required } from '../api/fieldErrors.js';
import { parseManifests, readManifestPaths } from '../api/manifest.js';
import { planKinds } from '../api/servedKinds.js';
import { apiVersionError, isServedObjectKind } from '../api/servedResources.js';
import { describeDoc } from '../api/validate.js';
import { fieldErrorsToJson, type JsonError } from './jsonErrors.js';
import { lenientWording } from './lenientWording.js';
import { UsageError } from './usageError.js';

export interface SourcedObject {
  object: Record<string, any>;
  source: string;
}

export interface ReadOptions {
  /** Which command reads: words the messages (`no objects passed to apply`). */
  verb: 'apply' | 'create' | 'delete';
  /** Skip, with a warning, objects of kinds tinylet does not serve. */
  lenient?: boolean;
  /** A workload stands for the Pod its pod template makes (see workloadAsPod.ts). */
  asPod?: boolean;
}

export interface ReadObjects {
  objects: SourcedObject[];
  /** `Warning: ...` lines, for stderr. */
  warnings: string[];
  /** What --as-pod made of each workload, for stderr. */
  notes: string[];
}

const PAST: Record<ReadOptions['verb'], string> = { apply: 'applied', create: 'created', delete: 'deleted' };

/**
 * Every object of `-f` arguments (files, directories, `-`), in order. Kinds tinylet does not serve
 * (servedKinds.ts) refuse the whole input (nothing is sent), or are skipped with `lenient`; either
 * way each is listed with what tinylet can do instead. So does a served kind in another apiVersion
 * (a Service of apps/v1). The server validates the rest.
 */
export async function readObjects(paths: string[], opts: ReadOptions): Promise<ReadObjects> {
  if (paths.length === 0) throw new Error('must specify one of -f and -k');
  const out: ReadObjects = { objects: [], warnings: [], notes: [] };
  const refused: { errors: FieldError[]; source: string }[] = [];
  for (const p of paths) {
    for (const src of await readManifestPaths(p)) {
      const plan = planKinds(parseManifests(src.text, src.source), { lenient: opts.lenient, asPod: opts.asPod, purpose: opts.verb === 'delete' ? 'delete' : 'create' });
      const errors = [...plan.refused];
      for (const doc of plan.docs) {
        const o = doc.object;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${src.source}: object ${doc.index + 1} is not a Kubernetes object`);
        const wrong = isServedObjectKind(o.kind) ? apiVersionError(o) : undefined;
        if (typeof o.kind !== 'string' || o.kind === '') errors.push({ ...required('kind', 'every object needs apiVersion and kind'), object: describeDoc(doc) });
        else if (wrong) errors.push({ ...wrong, object: describeDoc(doc) });
        else out.objects.push({ object: o, source: src.source });
      }
      if (errors.length) refused.push({ errors, source: src.source });
      out.warnings.push(...formatFieldErrors(plan.skipped).map((w) => `Warning: ${lenientWording(w)}`));
      out.notes.push(...plan.notes);
    }
  }
  if (refused.length) {
    const lines = refused.flatMap((r) => formatFieldErrors(r.errors)).map((l) => `  * ${l}`);
    const details: JsonError[] = refused.flatMap((r) => fieldErrorsToJson(r.errors, r.source));
    throw new UsageError(`error: nothing was ${PAST[opts.verb]}: tinylet does not serve these objects:\n${lines.join('\n')}`, details);
  }
  if (out.objects.length === 0) {
    const message = `no objects passed to ${opts.verb}${out.warnings.length ? ' (every object was skipped: see the warnings above)' : ''}`;
    throw new UsageError(`${out.warnings.map((w) => `${w}\n`).join('')}error: ${message}`, [{ message }]);
  }
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

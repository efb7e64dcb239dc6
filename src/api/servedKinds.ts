// Which objects of an input tinylet creates. It serves Pods, Services, Endpoints, EndpointSlices,
// ConfigMaps and Secrets (servedResources.ts; Namespaces and Events can be listed, not created).
// Every other kind is refused by default, so that nothing runs half of a file silently, and
// skipped with --lenient; either way the message says what tinylet serves and the nearest thing it
// can do: a workload's pod template can run as a Pod (--as-pod), and for the rest what leaving it
// out means for the pods of the same input.
//
// This runs before validation: validate.ts sees served kinds only (and objects it must refuse
// anyway: not a mapping, no kind), so that kinds are reported once, here, the same way for `run`,
// `apply`, `create` and `delete`.
import type { FieldError } from './fieldErrors.js';
import type { ManifestDoc } from './manifest.js';
import { notServedMeaning } from './notServedMeaning.js';
import { creatableKind } from './servedResources.js';
import { describeDoc } from './validate.js';
import { podFromWorkload, podTemplatePath } from './workloadAsPod.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What tinylet serves, in a few words: Namespaces and Events can be listed, not created. */
export const SERVED = 'tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets';

export interface KindOptions {
  /** Skip (with a warning) what is not served, instead of refusing the input. */
  lenient?: boolean;
  /** Run a workload's pod template as a Pod named after it. */
  asPod?: boolean;
  /** `delete -f` words the --as-pod hint as the pod to delete. */
  purpose?: 'create' | 'delete';
}

export interface KindPlan {
  /** What goes on to validation and creation, in input order: served kinds, workloads made Pods, objects without a kind. */
  docs: ManifestDoc[];
  /** For each doc made from a workload (by index): its label (`app.yaml#1 (Deployment web)`) and template path. */
  fromWorkload: Map<number, { object: string; templatePath: string }>;
  /** What --as-pod did, one line per workload. */
  notes: string[];
  /** Objects not served: errors by default, warnings with lenient. */
  refused: FieldError[];
  skipped: FieldError[];
}

/** Sorts the objects of an input into those tinylet creates and those it refuses or skips, with why. */
export function planKinds(docs: ManifestDoc[], opts: KindOptions = {}): KindPlan {
  const plan: KindPlan = { docs: [], fromWorkload: new Map(), notes: [], refused: [], skipped: [] };
  const converted = new Map<number, ReturnType<typeof podFromWorkload>>();
  if (opts.asPod) for (const d of docs) if (isObj(d.object) && podTemplatePath(d.object.kind)) converted.set(d.index, podFromWorkload(d.object));
  // The pods of this input, as they would run: what a skipped Namespace or PersistentVolumeClaim matters to.
  const pods = [...docs.filter((d) => isObj(d.object) && d.object.kind === 'Pod').map((d) => d.object as Obj), ...[...converted.values()].flatMap((c) => (c ? [c.pod] : []))];

  for (const doc of docs) {
    const o = doc.object;
    if (!isObj(o) || typeof o.kind !== 'string' || o.kind === '' || creatableKind(o.kind)) {
      plan.docs.push(doc);
      continue;
    }
    const object = describeDoc(doc);
    const templatePath = podTemplatePath(o.kind);
    const made = converted.get(doc.index);
    if (templatePath && made) {
      plan.docs.push({ ...doc, object: made.pod });
      plan.fromWorkload.set(doc.index, { object, templatePath });
      plan.notes.push(made.note);
      continue;
    }
    let nearest: string;
    if (templatePath && opts.asPod) nearest = `${templatePath}: Required value: --as-pod needs a pod template`;
    else if (templatePath) nearest = opts.purpose === 'delete' ? `--as-pod deletes pod ${String(o.metadata?.name)}, made from its ${templatePath}` : `--as-pod runs its ${templatePath} as pod ${String(o.metadata?.name)}`;
    else nearest = opts.purpose === 'delete' ? 'nothing of it to delete here' : notServedMeaning(o, pods);
    const head = `kind "${o.kind}" is not served yet (${SERVED})`;
    if (opts.lenient) plan.skipped.push({ path: '', kind: 'unsupported', object, message: `skipped: ${head}: ${nearest}` });
    else plan.refused.push({ path: '', kind: 'unsupported', object, message: `${head}: ${nearest}; --lenient skips it` });
  }
  return plan;
}

/** An error found in a Pod made from a workload, pointed at the workload's own fields. */
export function workloadFieldPath(path: string, templatePath: string): string {
  if (path === 'metadata.name' || path === 'metadata.namespace' || path === '') return path;
  return `${templatePath}.${path}`;
}

/**
 * Validation findings as the user's file has them: a finding in a Pod made from a workload names the
 * workload and its field (`spec.template.spec.containers[0].image`); with one object left out of
 * several, the remaining one is still named. `total` is the number of objects in the input.
 */
export function attributeFindings(findings: FieldError[], plan: KindPlan, total: number): FieldError[] {
  const byLabel = new Map(plan.docs.filter((d) => plan.fromWorkload.has(d.index)).map((d) => [describeDoc(d), plan.fromWorkload.get(d.index)!]));
  const only = plan.docs.length === 1 ? plan.docs[0]! : undefined;
  return findings.map((e) => {
    const workload = e.object !== undefined ? byLabel.get(e.object) : only && plan.fromWorkload.get(only.index);
    if (workload) return { ...e, object: workload.object, path: workloadFieldPath(e.path, workload.templatePath) };
    if (e.object === undefined && only && total > 1) return { ...e, object: describeDoc(only) };
    return e;
  });
}

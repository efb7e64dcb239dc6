// `--as-pod`: the nearest thing tinylet can do with a workload (Deployment, Job, ...) is to run the
// Pod its controller would create, once. The pod is made from the workload's pod template, named
// after the workload, with the template's labels and annotations (what the controller copies), in
// the workload's namespace. It is opt-in: the controller's own behaviour (replicas, rollouts,
// recreating a deleted pod, retries, a schedule) is not there, so tinylet says so for each object
// instead of quietly pretending to serve the kind.

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where each workload kind keeps its pod template, as a field path. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** `spec.template` (`spec.jobTemplate.spec.template` for a CronJob), or undefined for a kind without a pod template. */
export function podTemplatePath(kind: unknown): string | undefined {
  return typeof kind === 'string' && TEMPLATE_PATHS[kind] ? TEMPLATE_PATHS[kind].join('.') : undefined;
}

export interface WorkloadPod {
  pod: Obj;
  /** One line for the user: what runs, and what of the kind does not. */
  note: string;
}

/** What running the template once leaves out, per kind; empty when nothing that matters is lost. */
function leftOut(o: Obj): string {
  const spec = isObj(o.spec) ? o.spec : {};
  const replicas = typeof spec.replicas === 'number' && spec.replicas > 1 ? `one pod, not ${spec.replicas} replicas; ` : '';
  switch (o.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
      return `${replicas}no rollout, and nothing recreates it once deleted`;
    case 'StatefulSet':
      return `${replicas}nothing recreates it once deleted${Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length ? '; its volumeClaimTemplates become emptyDir volumes' : ''}`;
    case 'DaemonSet':
      return 'the one pod a DaemonSet would run on this one node; nothing recreates it once deleted';
    case 'Job':
      return 'it runs once: completions, parallelism and backoffLimit are not served';
    case 'CronJob':
      return `it runs once now, not on its schedule${typeof spec.schedule === 'string' ? ` "${spec.schedule}"` : ''}`;
    default:
      return '';
  }
}

/**
 * The Pod a workload's controller would create, or undefined for a kind without a pod template (or
 * a template that is not a mapping, which the caller reports). Volume claim templates become
 * emptyDir volumes of the same name, so the containers' volumeMounts still resolve.
 */
export function podFromWorkload(o: Obj): WorkloadPod | undefined {
  const path = TEMPLATE_PATHS[o.kind as string];
  if (!path) return undefined;
  let template: unknown = o;
  for (const key of path) template = isObj(template) ? template[key] : undefined;
  if (!isObj(template)) return undefined;
  const meta = isObj(o.metadata) ? o.metadata : {};
  const tmeta = isObj(template.metadata) ? template.metadata : {};
  const spec: Obj = isObj(template.spec) ? { ...template.spec } : {};
  const claims = o.kind === 'StatefulSet' && isObj(o.spec) && Array.isArray(o.spec.volumeClaimTemplates) ? (o.spec.volumeClaimTemplates as unknown[]) : [];
  const claimNames = claims.map((c) => (isObj(c) && isObj(c.metadata) ? c.metadata.name : undefined)).filter((n): n is string => typeof n === 'string');
  if (claimNames.length) spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), ...claimNames.map((name) => ({ name, emptyDir: {} }))];
  const metadata: Obj = { name: meta.name };
  if (meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (tmeta.labels !== undefined) metadata.labels = tmeta.labels;
  if (tmeta.annotations !== undefined) metadata.annotations = tmeta.annotations;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata, spec };
  const what = leftOut(o);
  return { pod, note: `${o.kind} ${String(meta.name)}: runs its ${path.join('.')} as pod ${String(meta.name)}${what ? ` (${what})` : ''}` };
}

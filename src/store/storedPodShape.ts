// The shape a stored pod file must have before recovery touches it. JSON.parse accepts `{}`, `null`
// or a pod without spec, and recovery (then the pod worker) would fail on them far from the file;
// this checks, up front, every field recovery and the worker's construction read, and says which
// one is wrong. It is not the API's validation: a pod accepted by an earlier version stays loadable.
import type { StoredPod } from './podStore.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown) => typeof v === 'string' && v.length > 0;
const isPid = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/** A list of objects each with a name (containers, statuses), or absent when `optional`. */
function namedList(v: unknown, path: string, optional: boolean): string | undefined {
  if (v === undefined && optional) return undefined;
  if (!Array.isArray(v)) return `${path} is not a list`;
  const i = v.findIndex((c) => !isObj(c) || !isName(c.name));
  return i >= 0 ? `${path}[${i}] is not an object with a name` : undefined;
}

function podProblem(pod: unknown): string | undefined {
  if (!isObj(pod)) return 'no pod object';
  const m = pod.metadata;
  if (!isObj(m)) return 'pod.metadata is not an object';
  for (const f of ['namespace', 'name', 'uid'] as const) if (!isName(m[f])) return `pod.metadata.${f} is missing`;
  const spec = pod.spec;
  if (!isObj(spec)) return 'pod.spec is not an object';
  const containers = namedList(spec.containers, 'pod.spec.containers', false) ?? namedList(spec.initContainers, 'pod.spec.initContainers', true);
  if (containers) return containers;
  if (Array.isArray(spec.containers) && spec.containers.length === 0) return 'pod.spec.containers is empty';
  if (spec.volumes !== undefined && (!Array.isArray(spec.volumes) || !spec.volumes.every(isObj))) return 'pod.spec.volumes is not a list of objects';
  const status = pod.status;
  if (status === undefined) return undefined;
  if (!isObj(status)) return 'pod.status is not an object';
  if (status.conditions !== undefined && (!Array.isArray(status.conditions) || !status.conditions.every(isObj))) return 'pod.status.conditions is not a list of objects';
  return namedList(status.containerStatuses, 'pod.status.containerStatuses', true) ?? namedList(status.initContainerStatuses, 'pod.status.initContainerStatuses', true);
}

function containersProblem(containers: unknown): string | undefined {
  if (!isObj(containers)) return 'containers is not an object';
  for (const [name, c] of Object.entries(containers)) {
    if (!isObj(c)) return `containers.${name} is not an object`;
    if (!Number.isInteger(c.instances) || (c.instances as number) < 0) return `containers.${name}.instances is not a count`;
    if (c.backoff !== undefined && !(isObj(c.backoff) && Number.isFinite(c.backoff.nextDelayMs) && Number.isFinite(c.backoff.lastDelayMs))) {
      return `containers.${name}.backoff is not a back-off position`;
    }
    if (c.process !== undefined && !(isObj(c.process) && isPid(c.process.pid))) return `containers.${name}.process has no pid`;
    if (c.stopped !== undefined && !isObj(c.stopped)) return `containers.${name}.stopped is not an object`;
  }
  return undefined;
}

/** Why `value` is not a usable stored pod, or undefined when it is. */
export function storedPodProblem(value: unknown): string | undefined {
  if (!isObj(value)) return `not a stored pod (${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}; expected an object with pod and containers)`;
  const problem = podProblem(value.pod) ?? containersProblem(value.containers ?? {});
  if (problem) return problem;
  if (value.sandbox !== undefined && !(isObj(value.sandbox) && isPid(value.sandbox.pid))) return 'sandbox has no pid';
  return undefined;
}

/** A checked value as a StoredPod, the optional parts filled in (savedAt: the file's time if unreadable). */
export function asStoredPod(value: Obj, fileTime: Date): StoredPod {
  const savedAt = typeof value.savedAt === 'string' && !Number.isNaN(Date.parse(value.savedAt)) ? value.savedAt : fileTime.toISOString();
  return { ...(value as unknown as StoredPod), containers: (value.containers as StoredPod['containers'] | undefined) ?? {}, savedAt };
}

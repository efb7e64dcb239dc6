// Caps on how many of a thing one pod may ask for. The API server has none (etcd's 1.5 MB object
// limit is the only bound), but on one node every item costs the agent, all the time:
// - a container is a process tree (launcher and PID 1), a cgroup in each of about ten v1 hierarchies,
//   four file descriptors in the agent (two FIFOs, the report pipe, the log file), its probes' timers
//   and its records; 1,000 containers left the agent at 1 GB of memory. A pod of more than 100 (init
//   and app containers together) is not a pod any more but a node's worth of them.
// - a volume is a directory (a tmpfs mount for medium: Memory) made when the sandbox starts, and a
//   mount a bind in the container's mount namespace and four entries of its launcher spec: 100 of
//   each is far beyond any real pod and keeps the sandbox's start and teardown short.
import type { PodSpec } from './types.js';
import { type FieldError, child, index, tooMany } from './fieldErrors.js';

export const MAX_CONTAINERS = 100;
export const MAX_VOLUMES = 100;
export const MAX_VOLUME_MOUNTS = 100;

export function validateCounts(spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const apps = spec.containers?.length ?? 0;
  const inits = spec.initContainers?.length ?? 0;
  if (apps + inits > MAX_CONTAINERS) {
    // Named on the list that pushes the total over, so the message points at something to shorten.
    const path = apps > MAX_CONTAINERS || inits === 0 ? 'spec.containers' : 'spec.initContainers';
    errs.push(tooMany(path, apps + inits, MAX_CONTAINERS, 'init containers and containers together'));
  }
  const volumes = spec.volumes?.length ?? 0;
  if (volumes > MAX_VOLUMES) errs.push(tooMany('spec.volumes', volumes, MAX_VOLUMES));
  for (const group of ['initContainers', 'containers'] as const) {
    (spec[group] ?? []).forEach((c, i) => {
      const mounts = c.volumeMounts?.length ?? 0;
      if (mounts > MAX_VOLUME_MOUNTS) errs.push(tooMany(child(index(`spec.${group}`, i), 'volumeMounts'), mounts, MAX_VOLUME_MOUNTS));
    });
  }
  return errs;
}

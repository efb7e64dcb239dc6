import type { Container, Pod } from '../../api/types.js';
import { addQuantity, compareQuantity, parseQuantity, type Quantity } from './quantity.js';

const EPHEMERAL_STORAGE = 'ephemeral-storage';

export function containerEphemeralLimit(c: Container): Quantity | undefined {
  return parseQuantity(c.resources?.limits?.[EPHEMERAL_STORAGE] as string | number | undefined);
}

/** maxResourceList: the larger one replaces, a tie keeps the first. */
function maxQuantity(a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined {
  if (!b) return a;
  if (!a || compareQuantity(b, a) > 0) return { ...b };
  return a;
}

/**
 * The pod's ephemeral-storage limit as component-helpers' PodLimits computes it: the app containers'
 * sum plus the sidecars' (restartable init containers), at least each plain init container's limit
 * plus the sidecars started before it, plus the pod overhead. Undefined when no container has one.
 */
export function podEphemeralLimit(pod: Pod): Quantity | undefined {
  const spec = pod.spec!;
  let limits: Quantity | undefined;
  for (const c of spec.containers) limits = addQuantity(limits, containerEphemeralLimit(c));
  let sidecars: Quantity | undefined;
  let inits: Quantity | undefined;
  for (const c of spec.initContainers ?? []) {
    const own = containerEphemeralLimit(c);
    let candidate: Quantity | undefined;
    if (c.restartPolicy === 'Always') {
      limits = addQuantity(limits, own);
      sidecars = addQuantity(sidecars, own);
      candidate = sidecars;
    } else {
      candidate = own ? addQuantity(own, sidecars) : sidecars;
    }
    inits = maxQuantity(inits, candidate);
  }
  limits = maxQuantity(limits, inits);
  const overhead = parseQuantity(spec.overhead?.[EPHEMERAL_STORAGE] as string | number | undefined);
  return limits && overhead ? addQuantity(limits, overhead) : limits;
}

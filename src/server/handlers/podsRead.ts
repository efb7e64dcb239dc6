// The pods the kubelet holds, for the handlers beside the registry (pods/log, pods/exec, metrics).
// Pods themselves (list, watch, get, create, update, patch, delete, status) are served by the
// generic registry (registry/kinds/pods.ts).
import type { Pod } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { kubeletPods } from '../registry/kinds/pods.js';
import { notFound } from '../status.js';

export function podsIn(ctx: RequestContext, namespace: string | undefined): Pod[] {
  return kubeletPods(ctx.services.kubelet, namespace);
}

export function findPod(ctx: RequestContext, namespace: string, name: string): Pod {
  const pod = ctx.services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  return pod;
}

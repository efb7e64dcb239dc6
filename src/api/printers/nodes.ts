// Server-side table rows of Nodes and Leases, as printers.go's printNode and printLease make them:
// STATUS from the Ready condition (Ready, NotReady, Unknown) plus SchedulingDisabled when cordoned,
// ROLES from the node-role.kubernetes.io/<role> and kubernetes.io/role labels.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { TableColumnDefinition } from './columns.js';
import { translateTimestampSince } from './duration.js';

const col = (name: string, description: string, priority = 0, format = ''): TableColumnDefinition => ({ name, type: 'string', format, description, priority });

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const ADDRESSES_DOC =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

export const nodeColumns: TableColumnDefinition[] = [
  col('Name', NAME_DOC, 0, 'name'),
  col('Status', 'The status of the node'),
  col('Roles', 'The roles of the node'),
  col('Age', AGE_DOC),
  col('Version', 'Kubelet Version reported by the node.'),
  col('Internal-IP', ADDRESSES_DOC, 1),
  col('External-IP', ADDRESSES_DOC, 1),
  col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
  col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
  col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
];

export const leaseColumns: TableColumnDefinition[] = [
  col('Name', NAME_DOC, 0, 'name'),
  col('Holder', 'holderIdentity contains the identity of the holder of a current lease.'),
  col('Age', AGE_DOC),
];

/** printNode's STATUS: the Ready condition, then SchedulingDisabled for a cordoned node. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> labels and the legacy kubernetes.io/role, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address || '<none>';

export function nodeCells(node: Node, now: number): string[] {
  const info = node.status?.nodeInfo;
  return [
    node.metadata?.name ?? '',
    nodeStatus(node),
    nodeRoles(node),
    translateTimestampSince(node.metadata?.creationTimestamp, now),
    info?.kubeletVersion ?? '',
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info?.osImage || '<unknown>',
    info?.kernelVersion || '<unknown>',
    info?.containerRuntimeVersion || '<unknown>',
  ];
}

export function leaseCells(lease: Lease, now: number): string[] {
  return [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', translateTimestampSince(lease.metadata?.creationTimestamp, now)];
}

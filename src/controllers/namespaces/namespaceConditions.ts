// The conditions the namespace controller writes on a terminating namespace
// (pkg/controller/namespace/deletion/status_condition_utils.go), with its messages: discovery and
// parsing never fail here, deletion of content never fails, no content has finalizers; what varies
// is whether content remains (`Some resources are remaining: pods. has 1 resource instances`).

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** `pods. has 2 resource instances`, per group resource, sorted, as the controller estimates them. */
export function remainingMessage(remaining: ReadonlyMap<string, number>): string {
  const parts = [...remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
  return `Some resources are remaining: ${parts.join(', ')}`;
}

/** The five conditions for this pass (lastTransitionTime kept from `previous` while the status is unchanged). */
export function terminatingConditions(remaining: ReadonlyMap<string, number>, previous: readonly NamespaceCondition[], now: string): NamespaceCondition[] {
  const some = [...remaining.values()].some((n) => n > 0);
  const wanted: Omit<NamespaceCondition, 'lastTransitionTime'>[] = [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    some
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: remainingMessage(remaining) }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
  return wanted.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    const since = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { type: c.type, status: c.status, lastTransitionTime: since, reason: c.reason, message: c.message };
  });
}

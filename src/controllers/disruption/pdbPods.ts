// Which pods a PodDisruptionBudget covers. The disruption controller lists the pods of the PDB's
// namespace with metav1.LabelSelectorAsSelector (no selector: none, an empty one: all of them); the
// eviction subresource skips a PDB whose selector is missing or empty, so that one never covers
// everything by accident (pkg/registry/core/pod/storage/eviction.go).
import { labelSelectorRequirements, matchesLabels } from '../../api/selectors/labels.js';
import type { Pod, PodDisruptionBudget } from '../../api/types.js';

/** The pods the controller counts for `pdb` (an invalid selector matches none). */
export function podsForPdb(pdb: PodDisruptionBudget, pods: readonly Pod[]): Pod[] {
  let reqs;
  try {
    reqs = labelSelectorRequirements(pdb.spec?.selector);
  } catch {
    return [];
  }
  if (reqs === null) return [];
  const ns = pdb.metadata?.namespace;
  return pods.filter((p) => p.metadata?.namespace === ns && matchesLabels(reqs, p.metadata?.labels));
}

/** The PDBs the eviction subresource checks for `pod`: same namespace, a non-empty selector that matches. */
export function pdbsForPod(pod: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  return pdbs.filter((pdb) => {
    if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
    let reqs;
    try {
      reqs = labelSelectorRequirements(pdb.spec?.selector);
    } catch {
      return false;
    }
    return reqs !== null && reqs.length > 0 && matchesLabels(reqs, pod.metadata?.labels);
  });
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

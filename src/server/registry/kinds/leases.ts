// coordination.k8s.io/v1 Lease: the kubelet's node lease in kube-node-lease (kubelet/node/), and
// any a user writes. Validation is ValidateLease's: positive durations, a known strategy.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { type FieldError, invalid } from '../../../api/fieldErrors.js';
import { validateObjectMeta } from '../../../api/validateMeta.js';
import type { Strategy } from '../strategy.js';

function validateLease(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata ?? {});
  const spec = lease.spec ?? {};
  for (const f of ['leaseDurationSeconds', 'leaseTransitions'] as const) {
    const v: unknown = spec[f];
    if (v === undefined || v === null) continue;
    if (!Number.isInteger(v)) errs.push(invalid(`spec.${f}`, v, 'must be an integer'));
    else if (f === 'leaseDurationSeconds' ? (v as number) <= 0 : (v as number) < 0) errs.push(invalid(`spec.${f}`, v, f === 'leaseDurationSeconds' ? 'must be greater than 0' : 'must be greater than or equal to 0'));
  }
  return errs;
}

export const leaseStrategy: Strategy = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  singular: 'lease',
  namespaced: true,
  tableKind: 'Lease',
  validate: (o) => validateLease(o as Lease),
};

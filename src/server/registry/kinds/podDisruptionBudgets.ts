// policy/v1 PodDisruptionBudget (pkg/registry/policy/poddisruptionbudget): validated as the API
// server does (api/policy/validatePdb.ts), generation 1 on create and one more for every change of
// the spec, a status subresource the disruption controller (controllers/disruption) and the
// eviction subresource (server/eviction) write, and the MIN AVAILABLE / MAX UNAVAILABLE / ALLOWED
// DISRUPTIONS table.
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatus } from '../../../api/policy/validatePdb.js';
import type { PodDisruptionBudget } from '../../../api/types.js';
import type { ApiObject } from '../../../store/objectStore.js';
import { badRequest } from '../../status.js';
import type { Strategy } from '../strategy.js';

const asPdb = (o: ApiObject): PodDisruptionBudget => o as unknown as PodDisruptionBudget;

/** JSON with every object's keys sorted: two specs that differ only in key order are the same spec. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The status of a new PDB: every counter 0 (they are not omitempty), until the controller computes it. */
export const EMPTY_PDB_STATUS = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };

export const podDisruptionBudgetStrategy: Strategy = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  tableKind: 'PodDisruptionBudget',
  hasStatus: true,

  prepareForCreate: (o) => ({ ...o, metadata: { ...o.metadata, generation: 1 }, spec: o.spec ?? {}, status: { ...EMPTY_PDB_STATUS } }),
  validate: (o) => validatePodDisruptionBudget(asPdb(o)),
  /** The generation moves with the spec only; what a client sends as generation is not kept. */
  prepareForUpdate: (next, old) => {
    const gen = old.metadata?.generation ?? 1;
    const changed = canonical(next.spec ?? {}) !== canonical(old.spec ?? {});
    return { ...next, metadata: { ...next.metadata, generation: changed ? gen + 1 : gen } };
  },
  prepareForStatusUpdate: (next) => {
    const status: unknown = next.status;
    if (status !== undefined && status !== null && (typeof status !== 'object' || Array.isArray(status))) throw badRequest('status: must be an object');
    return next;
  },
  validateStatusUpdate: (next) => validatePodDisruptionBudgetStatus(asPdb(next)),
};

// The disruption controller's arithmetic (controllers/disruption/pdbStatus.ts) and PDB validation
// (api/policy/validatePdb.ts), without an agent.
import { describe, expect, it } from 'vitest';
import { scaledValue } from '../src/api/policy/intOrPercent.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatus } from '../src/api/policy/validatePdb.js';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import type { Pod, PodDisruptionBudget } from '../src/api/types.js';
import { isPodReady, pdbsForPod, podsForPdb } from '../src/controllers/disruption/pdbPods.js';
import { DELETION_TIMEOUT_MS, syncPdbStatus } from '../src/controllers/disruption/pdbStatus.js';
import { tableFor } from '../src/api/printers/tables.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function pod(name: string, opts: { ready?: boolean; terminating?: boolean; labels?: Record<string, string>; ns?: string } = {}): Pod {
  return {
    metadata: { name, namespace: opts.ns ?? 'default', labels: opts.labels ?? { app: 'web' }, ...(opts.terminating ? { deletionTimestamp: '2024-05-01T12:00:30Z' } : {}) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(spec: Record<string, unknown>, status?: object, generation = 1): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'default', generation }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}) } as PodDisruptionBudget;
}

const three = [pod('a'), pod('b'), pod('c')];

describe('PodDisruptionBudget status', () => {
  it('minAvailable 2 of 3 ready pods: 1 disruption allowed, SufficientPods', () => {
    const { status } = syncPdbStatus(pdb({ minAvailable: 2 }), three, NOW);
    expect(status).toEqual({
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: '2024-05-01T12:00:00Z', reason: 'SufficientPods', message: '' }],
    });
    // Go's field order.
    expect(Object.keys(status!)).toEqual(['observedGeneration', 'disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'conditions']);
  });

  it('counts neither terminating nor unready pods as healthy; InsufficientPods at 0', () => {
    const pods = [pod('a'), pod('b', { terminating: true }), pod('c', { ready: false })];
    const { status } = syncPdbStatus(pdb({ minAvailable: 2 }), pods, NOW);
    expect(status).toMatchObject({ expectedPods: 3, currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(status!.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
  });

  it('resolves percentages rounded up, and maxUnavailable as expectedPods less it', () => {
    expect(syncPdbStatus(pdb({ minAvailable: '50%' }), three, NOW).status).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(syncPdbStatus(pdb({ minAvailable: '100%' }), three, NOW).status).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
    expect(syncPdbStatus(pdb({ maxUnavailable: 1 }), three, NOW).status).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
    // 34% of 3 is 1.02, rounded up to 2 unavailable: 1 desired.
    expect(syncPdbStatus(pdb({ maxUnavailable: '34%' }), three, NOW).status).toMatchObject({ desiredHealthy: 1, disruptionsAllowed: 2 });
    expect(syncPdbStatus(pdb({ maxUnavailable: 5 }), three, NOW).status).toMatchObject({ desiredHealthy: 0, disruptionsAllowed: 3 });
    expect(syncPdbStatus(pdb({ maxUnavailable: '0%' }), three, NOW).status).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
    expect(scaledValue('10%', 7, true)).toBe(1);
    expect(scaledValue('10%', 7, false)).toBe(0);
    expect(scaledValue(4, 7, true)).toBe(4);
  });

  it('allows nothing without expected pods, even when nothing is desired', () => {
    expect(syncPdbStatus(pdb({ maxUnavailable: 1 }), [], NOW).status).toMatchObject({ expectedPods: 0, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 });
    expect(syncPdbStatus(pdb({ minAvailable: 0 }), [], NOW).status).toMatchObject({ disruptionsAllowed: 0 });
  });

  it('keeps an evicted pod out of currentHealthy for two minutes, until it is terminating', () => {
    const at = '2024-05-01T11:59:30Z';
    const budget = pdb({ minAvailable: 1 }, { observedGeneration: 1, disruptedPods: { a: at }, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 3 });
    const r = syncPdbStatus(budget, three, NOW);
    expect(r.status).toMatchObject({ disruptedPods: { a: at }, currentHealthy: 2, disruptionsAllowed: 1 });
    expect(r.recheckAt).toBe(Date.parse(at) + DELETION_TIMEOUT_MS);
    // Terminating now: out of the map, and not healthy either.
    const gone = syncPdbStatus(budget, [pod('a', { terminating: true }), pod('b'), pod('c')], NOW);
    expect(gone.status!.disruptedPods).toBeUndefined();
    expect(gone.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    // Never deleted: after DeletionTimeout it counts again.
    const late = syncPdbStatus(budget, three, Date.parse(at) + DELETION_TIMEOUT_MS + 1000);
    expect(late.status).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 2 });
    expect(late.status!.disruptedPods).toBeUndefined();
  });

  it('writes nothing when the status is already right, and again when the generation moved', () => {
    const first = syncPdbStatus(pdb({ minAvailable: 2 }), three, NOW).status!;
    expect(syncPdbStatus(pdb({ minAvailable: 2 }, first), three, NOW + 5000).status).toBeUndefined();
    const next = syncPdbStatus(pdb({ minAvailable: 2 }, first, 2), three, NOW + 5000).status!;
    expect(next.observedGeneration).toBe(2);
    // Same status True: the transition time stays.
    expect(next.conditions![0]).toMatchObject({ observedGeneration: 2, lastTransitionTime: '2024-05-01T12:00:00Z' });
    const flipped = syncPdbStatus(pdb({ minAvailable: 3 }, first), three, NOW + 5000).status!;
    expect(flipped.conditions![0]).toMatchObject({ status: 'False', reason: 'InsufficientPods', lastTransitionTime: '2024-05-01T12:00:05Z' });
  });

  it('selects pods as the controller does (empty selector: all) and as the eviction does (empty: none)', () => {
    const pods = [pod('a'), pod('b', { labels: { app: 'db' } }), pod('c', { ns: 'other' })];
    expect(podsForPdb(pdb({}), pods).map((p) => p.metadata!.name)).toEqual(['a']);
    const all = { ...pdb({}), spec: { selector: {} } } as PodDisruptionBudget;
    expect(podsForPdb(all, pods).map((p) => p.metadata!.name)).toEqual(['a', 'b']);
    expect(podsForPdb({ ...pdb({}), spec: {} } as PodDisruptionBudget, pods)).toEqual([]);
    expect(pdbsForPod(pods[0]!, [pdb({}), all])).toHaveLength(1);
    const expr = { ...pdb({}), spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] } } } as PodDisruptionBudget;
    expect(podsForPdb(expr, pods).map((p) => p.metadata!.name)).toEqual(['a', 'b']);
    expect(isPodReady(pod('x', { ready: false }))).toBe(false);
  });
});

describe('PodDisruptionBudget validation', () => {
  const errs = (spec: Record<string, unknown>, name = 'web') => formatFieldErrors(validatePodDisruptionBudget({ metadata: { name, namespace: 'default' }, spec } as PodDisruptionBudget));

  it('accepts integers and percentages, one of minAvailable and maxUnavailable', () => {
    expect(errs({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } })).toEqual([]);
    expect(errs({ maxUnavailable: '25%', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } })).toEqual([]);
    expect(errs({ minAvailable: '100%', unhealthyPodEvictionPolicy: 'AlwaysAllow' })).toEqual([]);
  });

  it('refuses both bounds, negatives, bad percentages, over 100%, bad selectors and policies, with the API server\'s words', () => {
    expect(errs({ minAvailable: 1, maxUnavailable: 1 })).toEqual(['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set']);
    expect(errs({ minAvailable: -1 })).toEqual(['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
    expect(errs({ maxUnavailable: 'half' })).toEqual([
      `spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    ]);
    expect(errs({ minAvailable: '150%' })).toEqual(['spec.minAvailable: Invalid value: "150%": must not be greater than 100%']);
    expect(errs({ minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['a'] }, { key: 'y', operator: 'Has' }] } })).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Has": not a valid selector operator',
    ]);
    expect(errs({ minAvailable: 1, selector: { matchLabels: { app: 'a b' } } })[0]).toMatch(/^spec\.selector\.matchLabels\[app\]: Invalid value: "a b": a valid label must be/);
    expect(errs({ minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' })).toEqual(['spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"']);
    expect(errs({ minAvailable: 1 }, 'Web')[0]).toMatch(/^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/);
    expect(formatFieldErrors(validatePodDisruptionBudgetStatus({ status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } } as PodDisruptionBudget))).toEqual([
      'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('prints the server-side table kubectl shows: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE', () => {
    const t = tableFor('PodDisruptionBudget', [{ ...pdb({ minAvailable: 2 }, { disruptionsAllowed: 1 }), metadata: { name: 'web', creationTimestamp: '2024-05-01T11:59:00Z' } }, pdb({ maxUnavailable: '25%' })], { now: NOW });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect(t.columnDefinitions[3]).toMatchObject({ type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.' });
    expect(t.rows[0]!.cells).toEqual(['web', '2', 'N/A', 1, '60s']);
    expect(t.rows[1]!.cells.slice(0, 4)).toEqual(['web', 'N/A', '25%', 0]);
  });
});

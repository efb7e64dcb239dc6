// The kinds this agent serves, by group, version and resource, and what discovery says about them:
// those of its object store, and pods (kept by the kubelet, kinds/pods.ts).
import type { AgentConfig } from '../../kubelet/config.js';
import type { ApiObject } from '../../store/objectStore.js';
import { GenericRegistry } from './genericRegistry.js';
import { configMapStrategy } from './kinds/configMaps.js';
import { endpointSliceStrategy, endpointsStrategy } from './kinds/endpoints.js';
import { leaseStrategy } from './kinds/leases.js';
import { namespaceStrategy } from './kinds/namespaces.js';
import { nodeStrategy } from './kinds/nodes.js';
import { podDisruptionBudgetStrategy } from './kinds/podDisruptionBudgets.js';
import { podStrategy } from './kinds/pods.js';
import { secretStrategy } from './kinds/secrets.js';
import { serviceStrategy, type ServiceAllocations } from './kinds/services.js';
import type { Strategy } from './strategy.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The resources kept in the object store (their directories under store/objects). */
export const STORED_RESOURCES = ['configmaps', 'secrets', 'services', 'endpoints', 'endpointslices', 'namespaces', 'poddisruptionbudgets', 'nodes', 'leases'] as const;

export class ApiRegistry {
  private readonly byPath = new Map<string, GenericRegistry>();
  readonly serviceAllocations: ServiceAllocations;

  constructor(config: AgentConfig, stored: ReadonlyMap<string, ApiObject[]>) {
    const services = serviceStrategy(config, stored.get('services') ?? []);
    this.serviceAllocations = services.allocations;
    for (const s of [podStrategy, namespaceStrategy, configMapStrategy, secretStrategy, services, endpointsStrategy, endpointSliceStrategy, podDisruptionBudgetStrategy, nodeStrategy, leaseStrategy]) {
      this.byPath.set(`${s.group}/${s.version}/${s.resource}`, new GenericRegistry(s));
    }
  }

  lookup(group: string, version: string, resource: string): GenericRegistry | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  byKind(group: string, version: string, kind: string): GenericRegistry | undefined {
    return [...this.byPath.values()].find((r) => r.strategy.group === group && r.strategy.version === version && r.strategy.kind === kind);
  }

  strategies(group: string, version: string): Strategy[] {
    return [...this.byPath.values()].map((r) => r.strategy).filter((s) => s.group === group && s.version === version);
  }

  /** The groups besides the core one, for /apis. */
  groups(): { group: string; version: string }[] {
    const seen = new Map<string, string>();
    for (const r of this.byPath.values()) if (r.strategy.group) seen.set(r.strategy.group, r.strategy.version);
    return [...seen].map(([group, version]) => ({ group, version }));
  }
}

/** APIResource entries of discovery for the registry's kinds of one group version. */
export function discoveryResources(strategies: Strategy[]): object[] {
  return strategies.flatMap((s) => {
    const main = {
      name: s.resource,
      singularName: s.singular,
      namespaced: s.namespaced,
      kind: s.kind,
      verbs: s.readOnly ? ['get', 'list', 'watch'] : ALL_VERBS,
      ...(s.shortNames ? { shortNames: s.shortNames } : {}),
      ...(s.categories ? { categories: s.categories } : {}),
    };
    const status = s.hasStatus ? [{ name: `${s.resource}/status`, singularName: '', namespaced: s.namespaced, kind: s.kind, verbs: ['get', 'patch', 'update'] }] : [];
    return [main, ...status];
  });
}

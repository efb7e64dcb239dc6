// v1 Service: defaulted and validated as the API server does, with a cluster IP from the agent's
// serviceCIDR and node ports from its serviceNodePortRange, allocated when it is created or
// changed and given back when it is deleted (pkg/registry/core/service/storage).
import { CLUSTER_IP_RANGE_FULL, ClusterIpAllocator, clusterIPError, NODE_PORT_RANGE_FULL, NodePortAllocator, nodePortError } from '../../../api/service/allocators.js';
import { defaultService, prepareServiceUpdate } from '../../../api/service/defaultService.js';
import { validateService, validateServiceUpdate } from '../../../api/service/validateService.js';
import { type FieldError, invalid } from '../../../api/fieldErrors.js';
import type { Service } from '../../../api/types.js';
import type { AgentConfig } from '../../../kubelet/config.js';
import type { ApiObject } from '../../../store/objectStore.js';
import { mergeKeysOf } from '../../patch/strategicMerge.js';
import { invalid as invalidObject } from '../../status.js';
import type { Strategy } from '../strategy.js';

const usesNodePorts = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
const wantsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName' && s.spec?.clusterIP !== 'None';
const nodePortsOf = (s: Service | undefined) => (s && usesNodePorts(s) ? (s.spec?.ports ?? []).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number') : []);
const clusterIpOf = (s: Service | undefined) => (s?.spec?.clusterIP && s.spec.clusterIP !== 'None' ? s.spec.clusterIP : undefined);

/** The allocators of one agent, rebuilt from the stored Services at start. */
export class ServiceAllocations {
  readonly ips: ClusterIpAllocator;
  readonly ports: NodePortAllocator;

  constructor(
    private readonly config: AgentConfig,
    existing: readonly ApiObject[],
  ) {
    this.ips = new ClusterIpAllocator(config.serviceCIDR);
    this.ports = new NodePortAllocator(config.serviceNodePortRange);
    for (const o of existing) {
      const svc = o as Service;
      const ip = clusterIpOf(svc);
      if (ip) this.ips.claim(ip);
      for (const p of nodePortsOf(svc)) this.ports.claim(p);
    }
  }

  /** Allocates what `next` needs and `old` (on an update) does not hold yet; all or nothing. */
  allocate(next: Service, old: Service | undefined): Service {
    const svc: Service = structuredClone(next);
    const spec = (svc.spec ??= {});
    const taken: (() => void)[] = [];
    const errors: FieldError[] = [];
    const oldIp = clusterIpOf(old);
    if (wantsClusterIP(svc)) {
      const asked = spec.clusterIP || undefined;
      if (asked && asked === oldIp) {
        // kept
      } else if (asked) {
        const r = this.ips.claim(asked);
        if (r === 'ok') taken.push(() => this.ips.release(asked));
        else errors.push(clusterIPError(spec.clusterIPs ?? [asked], asked, r, this.config.serviceCIDR));
      } else {
        const ip = this.ips.allocate();
        if (ip) {
          spec.clusterIP = ip;
          taken.push(() => this.ips.release(ip));
        } else {
          errors.push({ path: '', kind: 'invalid', message: CLUSTER_IP_RANGE_FULL });
        }
      }
      if (spec.clusterIP) {
        spec.clusterIPs = [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    if (usesNodePorts(svc)) {
      const held = new Set(nodePortsOf(old));
      const seen = new Set<number>();
      (spec.ports ?? []).forEach((p, i) => {
        if (typeof p.nodePort === 'number') {
          const n = p.nodePort;
          if (held.has(n) || seen.has(n)) {
            seen.add(n);
            return;
          }
          const r = this.ports.claim(n);
          if (r === 'ok') {
            seen.add(n);
            taken.push(() => this.ports.release(n));
          } else {
            const { min, max } = this.config.serviceNodePortRange;
            errors.push(nodePortError(i, n, r, `${min}-${max}`));
          }
          return;
        }
        const n = this.ports.allocate();
        if (n === undefined) errors.push(invalid(`spec.ports[${i}].nodePort`, 0, NODE_PORT_RANGE_FULL));
        else {
          p.nodePort = n;
          seen.add(n);
          taken.push(() => this.ports.release(n));
        }
      });
    } else {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
    if (errors.length > 0) {
      for (const undo of taken) undo();
      throw invalidObject('Service', svc.metadata?.name ?? '', errors);
    }
    return svc;
  }

  /** Gives back what `gone` holds that `keep` does not. */
  release(gone: Service, keep: Service | undefined): void {
    const ip = clusterIpOf(gone);
    if (ip && ip !== clusterIpOf(keep)) this.ips.release(ip);
    const kept = new Set(nodePortsOf(keep));
    for (const p of nodePortsOf(gone)) if (!kept.has(p)) this.ports.release(p);
  }

}

export function serviceStrategy(config: AgentConfig, existing: readonly ApiObject[]): Strategy & { allocations: ServiceAllocations } {
  const allocations = new ServiceAllocations(config, existing);
  return {
    group: '',
    version: 'v1',
    kind: 'Service',
    resource: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    tableKind: 'Service',
    hasStatus: true,
    mergeKeys: mergeKeysOf({ 'spec.ports': 'port' }),
    allocations,
    prepareForCreate: (o) => ({ ...(defaultService(o as Service) as ApiObject), status: { loadBalancer: {} } }),
    prepareForUpdate: (next, old) => prepareServiceUpdate(defaultService(next as Service), old as Service) as ApiObject,
    validate: (o) => validateService(o as Service),
    validateUpdate: (next, old) => validateServiceUpdate(next as Service, old as Service),
    allocate: (o) => allocations.allocate(o as Service, undefined) as ApiObject,
    allocateUpdate: (next, old) => allocations.allocate(next as Service, old as Service) as ApiObject,
    release: (o, keep) => allocations.release(o as Service, keep as Service | undefined),
  };
}

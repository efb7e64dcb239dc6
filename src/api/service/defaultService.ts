// What the API server writes into a v1 Service before validating it: SetDefaults_Service
// (pkg/apis/core/v1/defaults.go), the registry's NormalizeClusterIPs, and initIPFamilyFields for
// tinylet's single-stack IPv4 service network. On update, prepareServiceUpdate does what the
// registry's beginUpdate and PrepareForUpdate do before allocation: keep the values allocated
// earlier that the client left out (`kubectl apply` of a manifest without clusterIP or nodePort),
// and wipe the ones a type change makes pointless. Nothing here allocates.
import type { Service, ServicePort } from '../types.js';
import { defaultService as defaultServiceMeta } from '../defaults.js';

type Spec = NonNullable<Service['spec']>;

/** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

const absent = (v: unknown): boolean => v === undefined || v === null || v === '';
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** ClusterIP, NodePort and LoadBalancer need a cluster IP (or "None"); ExternalName none. */
export const needsClusterIP = (spec: Spec | undefined): boolean => (spec?.type ?? 'ClusterIP') !== 'ExternalName';
export const needsNodePorts = (spec: Spec | undefined): boolean => spec?.type === 'NodePort' || spec?.type === 'LoadBalancer';
/** apiservice.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with externalIPs. */
export const externallyAccessible = (spec: Spec | undefined): boolean =>
  needsNodePorts(spec) || ((spec?.type ?? 'ClusterIP') === 'ClusterIP' && (spec?.externalIPs?.length ?? 0) > 0);
export const isHeadless = (spec: Spec | undefined): boolean => spec?.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None';

/**
 * A new Service with the API server's defaults (the input is not modified): metadata as
 * defaults.ts fills it (namespace, uid, creationTimestamp), then type ClusterIP, sessionAffinity
 * None (ClientIP gets a 10800 s timeout), ports' protocol TCP and targetPort = port,
 * internalTrafficPolicy Cluster (not for ExternalName), externalTrafficPolicy Cluster for
 * externally accessible Services, allocateLoadBalancerNodePorts true for LoadBalancer,
 * clusterIPs = [clusterIP] when only the singular was given, and the IP family fields.
 */
export function defaultService(svc: Service, now: Date = new Date()): Service {
  const s = defaultServiceMeta(svc, now);
  if (!isObj(s) || !isObj(s.spec)) return s;
  const spec = s.spec;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    if (!isObj(cfg) || !isObj(cfg.clientIP) || absent(cfg.clientIP.timeoutSeconds)) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  if (externallyAccessible(spec) && absent(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  normalizeClusterIPs(spec);
  initIPFamilyFields(spec);
  return s;
}

/** NormalizeClusterIPs on create: a client that set only the singular field gets the plural. */
function normalizeClusterIPs(spec: Spec): void {
  if (!absent(spec.clusterIP) && !(spec.clusterIPs?.length)) spec.clusterIPs = [spec.clusterIP!];
}

/**
 * initIPFamilyFields for a single-stack IPv4 cluster: ipFamilyPolicy SingleStack and ipFamilies
 * [IPv4], except that a headless Service without selector defaults to RequireDualStack with both
 * families (the API server allows it even on a single-stack cluster). ExternalName gets neither.
 * Values the client set are kept; validateService reports the ones this cluster cannot serve.
 */
function initIPFamilyFields(spec: Spec): void {
  if (spec.type === 'ExternalName') return;
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (absent(spec.ipFamilyPolicy)) spec.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) {
    const families = (spec.clusterIPs ?? []).filter((ip) => ip !== 'None').map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
    // An IPv6 cluster IP is left without a family: validateService then reports, as the API
    // server does, that IPv6 is not configured on this cluster.
    if (!families.includes('IPv6')) spec.ipFamilies = families.length ? families : ['IPv4'];
  }
  if (headlessSelectorless && spec.ipFamilies?.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
    spec.ipFamilies = [...spec.ipFamilies, spec.ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
  }
}

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

/**
 * The registry's update preparation, applied to `next` (already through defaultService; a new
 * object is returned): patchAllocatedValues (a missing clusterIP/clusterIPs/nodePort/
 * healthCheckNodePort is taken from `old` when both versions need it; node ports are matched by
 * port name), NormalizeClusterIPs for updates, ipFamilyPolicy adopted from `old` when the client
 * sent none, and dropTypeDependentFields (switching to ExternalName wipes unchanged cluster IPs
 * and IP family fields; leaving NodePort/LoadBalancer wipes unchanged node ports; leaving
 * LoadBalancer drops allocateLoadBalancerNodePorts and the load-balancer status).
 * `clientSentPolicy` says whether the update request itself carried spec.ipFamilyPolicy.
 */
export function prepareServiceUpdate(next: Service, old: Service, clientSentPolicy = true): Service {
  const s: Service = structuredClone(next);
  const spec: Spec = (s.spec ??= {});
  const os: Spec = old.spec ?? {};
  // patchAllocatedValues
  if (needsClusterIP(os) && needsClusterIP(spec)) {
    if (absent(spec.clusterIP) && !absent(os.clusterIP)) spec.clusterIP = os.clusterIP;
    if (!spec.clusterIPs?.length && os.clusterIPs?.length) spec.clusterIPs = [...os.clusterIPs];
  }
  if (needsNodePorts(os) && needsNodePorts(spec)) {
    const used = (ports: ServicePort[] | undefined) => new Set((ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
    const newUsed = used(spec.ports);
    const taken = new Set([...used(os.ports)].filter((n) => newUsed.has(n)));
    const byName = new Map((os.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const was = byName.get(p.name ?? '') ?? 0;
      if (was && !taken.has(was)) p.nodePort = was;
    }
  }
  const needsHC = (x: Spec) => x.type === 'LoadBalancer' && x.externalTrafficPolicy === 'Local';
  if (needsHC(os) && needsHC(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = os.healthCheckNodePort;
  // NormalizeClusterIPs (update)
  if (os.clusterIPs?.length && !spec.clusterIPs?.length && os.clusterIP === spec.clusterIP) spec.clusterIPs = [...os.clusterIPs];
  if ((os.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (!absent(os.clusterIP) && absent(spec.clusterIP)) {
      if (sameList(os.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameList(os.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [spec.clusterIP!];
    }
  }
  if (!clientSentPolicy && os.ipFamilyPolicy && needsClusterIP(spec)) spec.ipFamilyPolicy = os.ipFamilyPolicy;
  // dropTypeDependentFields
  if (needsClusterIP(os) && !needsClusterIP(spec)) {
    if ((os.clusterIP ?? '') === (spec.clusterIP ?? '') && sameList(os.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameList(os.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (os.ipFamilyPolicy === spec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(os) && !needsNodePorts(spec)) {
    if (sameList((os.ports ?? []).map((p) => p.nodePort ?? 0), (spec.ports ?? []).map((p) => p.nodePort ?? 0))) {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
  }
  if (needsHC(os) && !needsHC(spec) && os.healthCheckNodePort === spec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (os.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === os.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass === os.loadBalancerClass) delete spec.loadBalancerClass;
    if (s.status) (s as { status?: Service['status'] }).status = { ...s.status, loadBalancer: {} };
  }
  if (externallyAccessible(os) && !externallyAccessible(spec) && spec.externalTrafficPolicy === os.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  return s;
}

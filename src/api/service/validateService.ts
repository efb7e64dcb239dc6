// ValidateService and ValidateServiceUpdate (pkg/apis/core/validation/validation.go), run on a
// Service that has been through defaultService, as the API server validates after defaulting.
// Messages are the API server's; values print as Go's field.Error prints them (a []string as
// `[]string{"10.96.0.10"}`, a duplicate port as the Go struct).
//
// tinylet's service network is one IPv4 range on one node, so the checks that the registry's
// initIPFamilyFields makes against the cluster's configuration are here too (IPv6 and
// RequireDualStack are "not configured on this cluster").
//
// All four types are accepted. LoadBalancer behaves as NodePort: there is no cloud controller, so
// no external IP is ever assigned (EXTERNAL-IP stays <pending>, as on any cluster without one).
// ExternalName needs spec.externalName; it gets no cluster IP, no endpoints and no proxying, only
// a DNS CNAME to that name.
import { isIP } from 'node:net';
import type { Service, ServicePort } from '../types.js';
import { type FieldError, child, forbidden, formatValue, index, invalid, key, required, unsupported } from '../fieldErrors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from '../names.js';
import { validateLabels, validateObjectMeta } from '../validateMeta.js';
import { externallyAccessible, isHeadless } from './defaultService.js';

type Spec = NonNullable<Service['spec']>;

/** core.MaxClientIPServiceAffinitySeconds: one day. */
export const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const SESSION_AFFINITIES = ['ClientIP', 'None'] as const;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;
const TRAFFIC_DISTRIBUTIONS = ['PreferClose'] as const;
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';

/** IsDNS1035Label: what a Service may be called (its name becomes a DNS label and env var prefix). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1035_LABEL}$`).test(value)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character" +
        ` (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`,
    );
  }
  return errs;
}

/** Go's %#v of a []string, as field.Error prints a list value. */
export function goStrings(list: readonly string[] | undefined | null): string {
  return list ? `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}` : '[]string(nil)';
}

/** field.Invalid with a value already formatted the Go way. */
const invalidRaw = (path: string, shown: string, detail: string): FieldError => ({ path, kind: 'invalid', message: `Invalid value: ${shown}: ${detail}` });
/** field.Duplicate, worded as the API server words it. */
const duplicateValue = (path: string, shown: string): FieldError => ({ path, kind: 'duplicate', message: `Duplicate value: ${shown}` });

const IP_EXAMPLE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_EXAMPLE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function isValidCIDR(value: string): boolean {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const v = isIP(ip);
  return v !== 0 && Number(bits) <= (v === 4 ? 32 : 128);
}

/** ValidateNonSpecialIP for IPv4 (what an external IP may not be). */
function nonSpecialIP(ip: string, path: string): FieldError[] {
  if (isIP(ip) !== 4) return [];
  const [a, b, c] = ip.split('.').map(Number) as [number, number, number];
  const errs: FieldError[] = [];
  if (ip.split('.').every((o) => Number(o) === 0)) errs.push(invalid(path, ip, `may not be unspecified (${ip})`));
  if (a === 127) errs.push(invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (a === 169 && b === 254) errs.push(invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (a === 224 && b === 0 && c === 0) errs.push(invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function targetPortErrors(tp: ServicePort['targetPort'], path: string): FieldError[] {
  if (typeof tp === 'number') return isValidPortNum(tp).map((m) => invalid(path, tp, m));
  if (typeof tp === 'string') return isValidPortName(tp).map((m) => invalid(path, tp, m));
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && !name) errs.push(required(child(path, 'name')));
  else if (name) {
    errs.push(...isDNS1123Label(name).map((m) => invalid(child(path, 'name'), name, m)));
    if (names.has(name)) errs.push(duplicateValue(child(path, 'name'), formatValue(name)));
    else names.add(name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => invalid(child(path, 'port'), sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(child(path, 'protocol')));
  else if (!(PROTOCOLS as readonly string[]).includes(sp.protocol)) errs.push(unsupported(child(path, 'protocol'), sp.protocol, PROTOCOLS));
  errs.push(...targetPortErrors(sp.targetPort, child(path, 'targetPort')));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) {
    errs.push(...isQualifiedName(sp.appProtocol).map((m) => invalid(child(path, 'appProtocol'), sp.appProtocol, m)));
  }
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields, plus initIPFamilyFields' checks for this IPv4-only cluster. */
function validateClusterIPs(spec: Spec): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  const shown = goStrings(spec.clusterIPs);
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidRaw('spec.clusterIPs', shown, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalidRaw('spec.clusterIPs', shown, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!(IP_FAMILIES as readonly string[]).includes(f)) errs.push(unsupported(index('spec.ipFamilies', i), f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicateValue(index('spec.ipFamilies', i), formatValue(f)));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy && !(IP_FAMILY_POLICIES as readonly string[]).includes(spec.ipFamilyPolicy)) {
    errs.push(unsupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalidRaw('spec.clusterIPs', shown, "'None' must be the first and only value"));
      }
      return;
    }
    if (isIP(ip) === 0) {
      badIPs = true;
      errs.push(invalid(index('spec.clusterIPs', i), ip, IP_EXAMPLE));
    }
  });
  if (ips.length > 2) errs.push(invalidRaw('spec.clusterIPs', shown, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && isIP(ips[0]!) === isIP(ips[1]!)) errs.push(invalidRaw('spec.clusterIPs', shown, 'may specify no more than one IP for each IP family'));
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies?.[i];
      if (fam === 'IPv4' && isIP(ip) === 6) errs.push(invalid(index('spec.clusterIPs', i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && isIP(ip) !== 6) errs.push(invalid(index('spec.clusterIPs', i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  if (errs.length) return errs;
  // initIPFamilyFields against this cluster: one IPv4 service range.
  const policy = spec.ipFamilyPolicy;
  if (policy === 'SingleStack') {
    if (ips.length === 2) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if ((spec.ipFamilies ?? []).length === 2) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  ips.forEach((ip, i) => {
    if (ip !== 'None' && isIP(ip) === 6 && !spec.ipFamilies?.[i]) errs.push(invalidRaw(index('spec.clusterIPs', i), shown, 'IPv6 is not configured on this cluster'));
  });
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (errs.length || headlessSelectorless) return errs;
  if (policy === 'RequireDualStack') errs.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4') errs.push(invalid(index('spec.ipFamilies', i), f, 'not configured on this cluster'));
  });
  return errs;
}

function validateClientIPAffinity(spec: Spec): FieldError[] {
  const path = 'spec.sessionAffinityConfig';
  const detail = 'when session affinity type is ClientIP';
  const cfg = spec.sessionAffinityConfig;
  if (!cfg) return [required(path, detail)];
  if (!cfg.clientIP) return [required(child(path, 'clientIP'), detail)];
  const t = cfg.clientIP.timeoutSeconds;
  if (t === undefined || t === null) return [required(`${path}.clientIP.timeoutSeconds`, detail)];
  if (!(t > 0 && t <= MAX_CLIENT_IP_AFFINITY_SECONDS)) {
    return [invalid(`${path}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** Go's %#v of the core.ServicePort key the duplicate-port check builds. */
const goServicePortKey = (protocol: string | undefined, port: number | undefined): string =>
  `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol ?? '')}, AppProtocol:(*string)(nil), Port:${port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

function validateTrafficPolicies(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) {
    errs.push(required('spec.externalTrafficPolicy'));
  } else if (!(TRAFFIC_POLICIES as readonly string[]).includes(spec.externalTrafficPolicy)) {
    errs.push(unsupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const needsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck) {
    if (hc !== 0) errs.push(invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(required('spec.healthCheckNodePort'));
  } else {
    errs.push(...isValidPortNum(hc).map((m) => invalid('spec.healthCheckNodePort', hc, m)));
  }
  const itp = spec.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type ?? '')) errs.push(required('spec.internalTrafficPolicy'));
  if (itp && !(TRAFFIC_POLICIES as readonly string[]).includes(itp)) errs.push(unsupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  const td = spec.trafficDistribution;
  if (td !== undefined && td !== null && !(TRAFFIC_DISTRIBUTIONS as readonly string[]).includes(td)) errs.push(unsupported('spec.trafficDistribution', td, TRAFFIC_DISTRIBUTIONS));
  return errs;
}

function validateLoadBalancerFields(svc: Service, spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const lb = spec.type === 'LoadBalancer';
  const ranges = spec.loadBalancerSourceRanges ?? [];
  const annotation = svc.metadata?.annotations?.[LB_SOURCE_RANGES];
  if (ranges.length) {
    const path = 'spec.LoadBalancerSourceRanges'; // sic: the API server's own spelling
    if (!lb) errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      if (!isValidCIDR(r.trim())) errs.push(invalid(index(path, i), r.trim(), CIDR_EXAMPLE));
    });
  } else if (annotation !== undefined) {
    const path = key('metadata.annotations', LB_SOURCE_RANGES);
    if (!lb) errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const v = annotation.trim();
    if (v) for (const r of v.split(',')) if (!isValidCIDR(r.trim())) errs.push(invalid(path, r.trim(), CIDR_EXAMPLE));
  }
  const alloc = spec.allocateLoadBalancerNodePorts;
  if (alloc !== undefined && alloc !== null && !lb) errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  // sic: the API server reports this one without the `spec.` prefix.
  if (lb && (alloc === undefined || alloc === null)) errs.push(required('allocateLoadBalancerNodePorts'));
  const cls = spec.loadBalancerClass;
  if (cls !== undefined && cls !== null) {
    if (lb) errs.push(...isQualifiedName(cls).map((m) => invalid('spec.loadBalancerClass', cls, m)));
    else errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

/** ValidateService: every problem of a (defaulted) Service, in the API server's order. */
export function validateService(svc: Service): FieldError[] {
  const meta = svc.metadata ?? {};
  const errs = validateObjectMeta(meta, 'metadata', isDNS1035Label);
  const hints = meta.annotations?.[TOPOLOGY_HINTS];
  const mode = meta.annotations?.[TOPOLOGY_MODE];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(invalid(key('metadata.annotations', TOPOLOGY_MODE), mode, `must match annotations[${TOPOLOGY_HINTS}] when both are specified`));
  }
  const spec: Spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if (spec.type === 'LoadBalancer' && headless) errs.push(invalid(index('spec.clusterIPs', 0), 'None', "may not be set to 'None' for LoadBalancer services"));
  if (spec.type === 'NodePort' && headless) errs.push(invalid(index('spec.clusterIPs', 0), 'None', "may not be set to 'None' for NodePort services"));
  if (spec.type === 'ExternalName') {
    if (spec.clusterIPs?.length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (spec.ipFamilies?.length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    // A trailing dot marks the CNAME target as fully qualified.
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!(SESSION_AFFINITIES as readonly string[]).includes(spec.sessionAffinity)) errs.push(unsupported('spec.sessionAffinity', spec.sessionAffinity, SESSION_AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinity(spec));
  else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  errs.push(...validateClusterIPs(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const path = index('spec.externalIPs', i);
    if (isIP(ip) === 0) errs.push(invalid(path, ip, IP_EXAMPLE));
    else errs.push(...nonSpecialIP(ip, path));
  });
  if (!spec.type) errs.push(required('spec.type'));
  else if (!(SERVICE_TYPES as readonly string[]).includes(spec.type)) errs.push(unsupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(`${index('spec.ports', i)}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const k = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(duplicateValue(`${index('spec.ports', i)}.nodePort`, String(p.nodePort)));
    nodePorts.add(k);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol}/${p.port}`;
    if (portKeys.has(k)) errs.push(duplicateValue(index('spec.ports', i), goServicePortKey(p.protocol, p.port)));
    portKeys.add(k);
  });
  errs.push(...validateLoadBalancerFields(svc, spec));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateClusterIPsUpdate(next: Spec, old: Spec): FieldError[] {
  if (next.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) && isHeadless(next)) return [];
  const o = old.clusterIPs ?? [];
  const n = next.clusterIPs ?? [];
  const shown = goStrings(next.clusterIPs);
  const errs: FieldError[] = [];
  if (o.length === n.length) {
    o.forEach((ip, i) => {
      if (ip !== n[i]) errs.push(invalidRaw(index('spec.clusterIPs', i), shown, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(invalidRaw(index('spec.clusterIPs', 0), shown, 'primary clusterIP can not be unset'));
    if (o.length > 0 && n.length > 0 && n[0] !== o[0]) errs.push(invalidRaw(index('spec.clusterIPs', 0), shown, 'may not change once set'));
    if (n.length === 1 && next.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', next.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length > 0 && n[0] !== o[0]) {
    errs.push(invalidRaw(index('spec.clusterIPs', 0), shown, 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(next: Spec, old: Spec): FieldError[] {
  if (next.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) !== isHeadless(next) || isHeadless(next)) return [];
  const o = old.ipFamilies ?? [];
  const n = next.ipFamilies ?? [];
  const shownFamilies = goStrings(next.ipFamilies);
  const shownIPs = goStrings(next.clusterIPs);
  const errs: FieldError[] = [];
  const path = index('spec.ipFamilies', 0);
  if (o.length === n.length) {
    o.forEach((f, i) => {
      if (f !== n[i]) errs.push(invalidRaw(path, shownFamilies.replace('[]string', '[]core.IPFamily'), 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if ((next.clusterIPs ?? []).length === 0) errs.push(invalidRaw(path, shownFamilies.replace('[]string', '[]core.IPFamily'), 'primary ipFamily can not be unset'));
    if (n.length > 0 && n[0] !== o[0]) errs.push(invalidRaw(path, shownIPs, 'may not change once set'));
    if (n.length === 1 && next.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', next.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (o.length > 0 && n.length > 0 && n[0] !== o[0]) {
    errs.push(invalidRaw(path, shownIPs, 'may not change once set'));
  }
  return errs;
}

/** ObjectMeta fields an update may not change. */
function metaUpdateErrors(next: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const n = next.metadata?.[f];
    if (n !== undefined && n !== old.metadata?.[f]) errs.push(invalid(`metadata.${f}`, n, 'field is immutable'));
  }
  return errs;
}

/**
 * ValidateServiceUpdate: run on `next` after defaultService and prepareServiceUpdate. The
 * cluster IPs may not change (`spec.clusterIPs[0]: Invalid value: []string{"10.96.0.7"}: may
 * not change once set`) unless the type changes to or from ExternalName; nor may the IP
 * families, the loadBalancerClass of a LoadBalancer, or its healthCheckNodePort.
 */
export function validateServiceUpdate(next: Service, old: Service): FieldError[] {
  const ns: Spec = next.spec ?? {};
  const os: Spec = old.spec ?? {};
  const errs = metaUpdateErrors(next, old);
  errs.push(...validateClusterIPsUpdate(ns, os));
  errs.push(...validateIPFamiliesUpdate(ns, os));
  if (os.type === 'LoadBalancer' && ns.type === 'LoadBalancer' && (os.loadBalancerClass ?? null) !== (ns.loadBalancerClass ?? null)) {
    errs.push(invalid('spec.loadBalancerClass', ns.loadBalancerClass ?? null, 'may not change once set'));
  }
  const needsHC = (s: Spec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needsHC(os) && needsHC(ns) && ns.healthCheckNodePort !== os.healthCheckNodePort) errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  errs.push(...validateService(next));
  return errs;
}

import { describe, expect, it } from 'vitest';
import { formatFieldErrors } from '../src/api/fieldErrors.js';
import type { Service } from '../src/api/types.js';
import { ClusterIpAllocator, NodePortAllocator, clusterIPError, nodePortError } from '../src/api/service/allocators.js';
import { defaultService, prepareServiceUpdate } from '../src/api/service/defaultService.js';
import { isDNS1035Label, validateService, validateServiceUpdate } from '../src/api/service/validateService.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const svc = (spec: Service['spec'], name = 'web', extra: Partial<Service> = {}): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: 'u1' }, spec, ...extra,
});
const errs = (s: Service) => formatFieldErrors(validateService(defaultService(s, NOW)));

describe('defaultService', () => {
  it('fills SetDefaults_Service, clusterIPs and the IP family fields', () => {
    const d = defaultService(svc({ selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ port: 80 }, { name: 'x', port: 81, targetPort: 'http' }] }), NOW);
    expect(d.metadata).toMatchObject({ name: 'web', namespace: 'default', uid: 'u1', creationTimestamp: '2024-05-01T12:00:00Z' });
    expect(d.spec).toEqual({
      selector: { app: 'web' }, clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], type: 'ClusterIP', sessionAffinity: 'None',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'x', port: 81, targetPort: 'http', protocol: 'TCP' }],
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
    });
  });

  it('ClientIP affinity gets the three-hour timeout; None drops the config', () => {
    expect(defaultService(svc({ sessionAffinity: 'ClientIP', ports: [{ port: 1 }] }), NOW).spec!.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(defaultService(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), NOW).spec!.sessionAffinityConfig!.clientIP!.timeoutSeconds).toBe(60);
    expect(defaultService(svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), NOW).spec!.sessionAffinityConfig).toBeUndefined();
  });

  it('externalTrafficPolicy for NodePort, LoadBalancer and ClusterIP with externalIPs; LB node ports on', () => {
    expect(defaultService(svc({ type: 'NodePort' }), NOW).spec!.externalTrafficPolicy).toBe('Cluster');
    expect(defaultService(svc({ type: 'ClusterIP' }), NOW).spec!.externalTrafficPolicy).toBeUndefined();
    expect(defaultService(svc({ externalIPs: ['1.2.3.4'] }), NOW).spec!.externalTrafficPolicy).toBe('Cluster');
    expect(defaultService(svc({ type: 'LoadBalancer' }), NOW).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
  });

  it('ExternalName gets no traffic policy nor IP families; headless without selector is dual-stack', () => {
    const en = defaultService(svc({ type: 'ExternalName', externalName: 'example.com' }), NOW).spec!;
    expect(en.internalTrafficPolicy).toBeUndefined();
    expect(en.ipFamilies).toBeUndefined();
    expect(en.ipFamilyPolicy).toBeUndefined();
    expect(defaultService(svc({ clusterIP: 'None' }), NOW).spec).toMatchObject({ clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    expect(defaultService(svc({ clusterIP: 'None', selector: { a: 'b' } }), NOW).spec).toMatchObject({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
  });

  it('does not modify its input', () => {
    const s = svc({ ports: [{ port: 80 }] });
    defaultService(s, NOW);
    expect(s.spec).toEqual({ ports: [{ port: 80 }] });
  });
});

describe('validateService', () => {
  it('a plain defaulted Service is valid, and so are headless, NodePort, LoadBalancer, ExternalName', () => {
    expect(errs(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }))).toEqual([]);
    expect(errs(svc({ clusterIP: 'None', selector: { app: 'web' } }))).toEqual([]);
    expect(errs(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).toEqual([]);
    expect(errs(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }))).toEqual([]);
    expect(errs(svc({ type: 'ExternalName', externalName: 'db.example.com.' }))).toEqual([]);
  });

  it('Service names are DNS-1035 labels', () => {
    expect(isDNS1035Label('1web')).toHaveLength(1);
    expect(errs(svc({ ports: [{ port: 80 }] }, '1web'))).toEqual([
      "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('ports are required unless headless or ExternalName', () => {
    expect(errs(svc({}))).toEqual(['spec.ports: Required value']);
    expect(errs(svc({ type: 'ExternalName' }))).toEqual(['spec.externalName: Required value']);
  });

  it('port names, numbers, protocols and target ports', () => {
    expect(errs(svc({ ports: [{ port: 80 }, { port: 81 }] }))).toEqual(['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
    expect(errs(svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }))).toEqual(['spec.ports[1].name: Duplicate value: "a"']);
    expect(errs(svc({ ports: [{ name: 'Web', port: 70000, protocol: 'ICMP', targetPort: 'HTTP' }] }))).toEqual([
      "spec.ports[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]);
    expect(errs(svc({ ports: [{ port: 80, targetPort: 0 }] }))).toEqual([]);
    expect(errs(svc({ ports: [{ port: 80, targetPort: 99999 }] }))).toEqual(['spec.ports[0].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive']);
  });

  it('duplicate ports and node ports', () => {
    expect(errs(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }))).toEqual([
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
    expect(errs(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'UDP' }] }))).toEqual([]);
    expect(errs(svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30001 }] })))
      .toEqual(['spec.ports[1].nodePort: Duplicate value: 30001']);
  });

  it('type, nodePort on ClusterIP, None only for ClusterIP', () => {
    expect(errs(svc({ type: 'Foo', ports: [{ port: 80 }] }))).toEqual(['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
    expect(errs(svc({ ports: [{ port: 80, nodePort: 30001 }] }))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    expect(errs(svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }))).toEqual(['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services']);
    expect(errs(svc({ type: 'LoadBalancer', clusterIP: 'None', ports: [{ port: 80 }] }))).toEqual(['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services']);
  });

  it('ExternalName: a DNS name, no cluster IP', () => {
    expect(errs(svc({ type: 'ExternalName', externalName: 'Not_DNS' }))).toHaveLength(1);
    expect(formatFieldErrors(validateService(svc({ type: 'ExternalName', externalName: 'a.b', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], sessionAffinity: 'None' }))))
      .toEqual(['spec.clusterIPs: Forbidden: may not be set for ExternalName services']);
  });

  it('session affinity', () => {
    expect(errs(svc({ sessionAffinity: 'Sticky', ports: [{ port: 80 }] }))).toEqual(['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']);
    expect(errs(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 90000 } }, ports: [{ port: 80 }] })))
      .toEqual(['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400']);
    expect(errs(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } }, ports: [{ port: 80 }] }))).toEqual([]);
    expect(formatFieldErrors(validateService(svc({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], internalTrafficPolicy: 'Cluster' }))))
      .toEqual(['spec.sessionAffinity: Required value']);
  });

  it('selector labels, cluster IPs, external IPs, traffic policies', () => {
    expect(errs(svc({ selector: { app: 'bad value' }, ports: [{ port: 80 }] }))[0]).toMatch(/^spec\.selector\[app\]: Invalid value: "bad value": a valid label must be/);
    expect(errs(svc({ clusterIP: '10.96.0.300', ports: [{ port: 80 }] }))).toEqual(['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
    expect(errs(svc({ clusterIPs: ['10.96.0.5'], ports: [{ port: 80 }] }))).toEqual(['spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: must be empty when `clusterIP` is not specified']);
    expect(errs(svc({ clusterIP: 'fd00::1', ports: [{ port: 80 }] }))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"fd00::1"}: IPv6 is not configured on this cluster']);
    expect(errs(svc({ ipFamilies: ['IPv6'], ports: [{ port: 80 }] }))).toEqual(['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']);
    expect(errs(svc({ ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] }))).toEqual(['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']);
    expect(errs(svc({ externalIPs: ['127.0.0.1'], ports: [{ port: 80 }] }))).toEqual(['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    expect(errs(svc({ externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }))).toEqual(['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']);
    expect(errs(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }))).toEqual(['spec.healthCheckNodePort: Required value']);
    expect(errs(svc({ internalTrafficPolicy: 'Nearby', ports: [{ port: 80 }] }))).toEqual(['spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"']);
    expect(errs(svc({ allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }))).toEqual(["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"]);
  });
});

describe('validateServiceUpdate and prepareServiceUpdate', () => {
  const old = defaultService(svc({ selector: { app: 'web' }, clusterIP: '10.96.0.7', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), NOW);

  it('the cluster IP may not change', () => {
    const next = defaultService(svc({ selector: { app: 'web' }, clusterIP: '10.96.0.8', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), NOW);
    expect(formatFieldErrors(validateServiceUpdate(prepareServiceUpdate(next, old), old))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.8"}: may not change once set']);
  });

  it('an apply without clusterIP and nodePort keeps the allocated ones', () => {
    const next = prepareServiceUpdate(defaultService(svc({ selector: { app: 'web' }, type: 'NodePort', ports: [{ name: 'http', port: 80 }] }), NOW), old);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    expect(validateServiceUpdate(next, old)).toEqual([]);
  });

  it('changing to ExternalName wipes the cluster IP and IP families; changing back allocates anew', () => {
    const next = prepareServiceUpdate(defaultService({ ...old, spec: { ...old.spec, type: 'ExternalName', externalName: 'example.com' } }, NOW), old);
    expect(next.spec!.clusterIP).toBeUndefined();
    expect(next.spec!.clusterIPs).toBeUndefined();
    expect(next.spec!.ipFamilies).toBeUndefined();
    expect(next.spec!.ports![0]!.nodePort).toBeUndefined();
    expect(next.spec!.externalTrafficPolicy).toBeUndefined();
    expect(formatFieldErrors(validateServiceUpdate(next, old))).toEqual([]);
    const back = defaultService(svc({ selector: { app: 'web' }, clusterIP: '10.96.0.9', ports: [{ port: 80 }] }), NOW);
    expect(validateServiceUpdate(prepareServiceUpdate(back, next), next)).toEqual([]);
  });

  it('the name is immutable', () => {
    const next = { ...old, metadata: { ...old.metadata, name: 'other' } };
    expect(formatFieldErrors(validateServiceUpdate(next, old))[0]).toBe('metadata.name: Invalid value: "other": field is immutable');
  });
});

describe('ClusterIpAllocator', () => {
  it('hands out dynamic IPs from the upper band, claims and releases', () => {
    const a = new ClusterIpAllocator('10.96.0.0/16', () => 0);
    expect(a.allocate()).toBe('10.96.1.1');
    expect(a.allocate()).toBe('10.96.1.2');
    expect(a.claim('10.96.0.10')).toBe('ok');
    expect(a.claim('10.96.0.10')).toBe('taken');
    expect(a.claim('10.97.0.1')).toBe('outOfRange');
    expect(a.claim('10.96.0.0')).toBe('outOfRange');
    expect(a.claim('10.96.255.255')).toBe('outOfRange');
    expect(a.contains('10.96.255.254')).toBe(true);
    a.release('10.96.0.10');
    expect(a.claim('10.96.0.10')).toBe('ok');
    expect(ClusterIpAllocator.nthIP('10.96.0.0/16', 1)).toBe('10.96.0.1');
    expect(ClusterIpAllocator.nthIP('10.96.0.0/16', 10)).toBe('10.96.0.10');
  });

  it('falls back to the lower band, then reports full', () => {
    const a = new ClusterIpAllocator('10.0.0.0/28', () => 0.5);
    const got = new Set<string>();
    for (let i = 0; i < 14; i++) got.add(a.allocate()!);
    expect(got.size).toBe(14);
    expect(a.allocate()).toBeUndefined();
    const b = new ClusterIpAllocator('10.0.0.0/24', () => 0);
    for (let i = 0; i < 238; i++) expect(Number(b.allocate()!.split('.')[3])).toBeGreaterThanOrEqual(17);
    expect(b.allocate()).toBe('10.0.0.1');
  });

  it('words the API server errors', () => {
    expect(formatFieldErrors([clusterIPError(['10.96.0.10'], '10.96.0.10', 'taken', '10.96.0.0/16')])).toEqual([
      'spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    ]);
    expect(formatFieldErrors([clusterIPError(['10.0.0.1'], '10.0.0.1', 'outOfRange', '10.96.0.0/16')])).toEqual([
      'spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    ]);
  });
});

describe('NodePortAllocator', () => {
  it('allocates from the upper band of the range, claims and releases', () => {
    const a = new NodePortAllocator({ min: 30000, max: 32767 }, () => 0);
    expect(a.allocate()).toBe(30086);
    expect(a.claim(30080)).toBe('ok');
    expect(a.claim(30080)).toBe('taken');
    expect(a.claim(80)).toBe('outOfRange');
    a.release(30080);
    expect(a.has(30080)).toBe(false);
    expect(a.rangeString).toBe('30000-32767');
    const small = new NodePortAllocator({ min: 30000, max: 30001 });
    expect(new Set([small.allocate(), small.allocate()])).toEqual(new Set([30000, 30001]));
    expect(small.allocate()).toBeUndefined();
  });

  it('words the API server errors', () => {
    expect(formatFieldErrors([nodePortError(0, 30080, 'taken', '30000-32767'), nodePortError(1, 80, 'outOfRange', '30000-32767')])).toEqual([
      'spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
      'spec.ports[1].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Pod, Service } from '../src/api/types.js';
import { endpointSlicesFor, sliceSuffix } from '../src/controllers/endpoints/endpointSliceFor.js';
import { endpointsFor } from '../src/controllers/endpoints/endpointsFor.js';
import { findPort, podView } from '../src/controllers/endpoints/podEndpoints.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const opts = { now: NOW, removalDelayMs: 0 };

const service = (spec: Service['spec'], labels?: Record<string, string>): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', ...(labels ? { labels } : {}) },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', selector: { app: 'web' }, ...spec },
});

interface PodOpts { ip?: string; ready?: boolean; phase?: string; deleting?: { at: string; grace: number }; httpPort?: number; ns?: string; labels?: Record<string, string>; hostname?: string; subdomain?: string }
const pod = (name: string, o: PodOpts = {}): Pod => ({
  metadata: {
    name, namespace: o.ns ?? 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' },
    ...(o.deleting ? { deletionTimestamp: o.deleting.at, deletionGracePeriodSeconds: o.deleting.grace } : {}),
  },
  spec: {
    nodeName: 'node1', ...(o.hostname ? { hostname: o.hostname } : {}), ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: o.httpPort ?? 8080, protocol: 'TCP' }] }],
  },
  status: {
    phase: o.phase ?? 'Running',
    ...(o.ip === '' ? {} : { podIP: o.ip ?? `10.88.0.${name.length + 1}`, podIPs: [{ ip: o.ip ?? `10.88.0.${name.length + 1}` }] }),
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
  },
});

const addr = (ip: string, name: string) => ({ ip, nodeName: 'node1', targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });

describe('pod helpers', () => {
  it('findPort: numbers as they are, names by container port and protocol', () => {
    const p = pod('a');
    expect(findPort(p, { port: 80, targetPort: 9000 })).toBe(9000);
    expect(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' })).toBe(8080);
    expect(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' })).toBeUndefined();
    expect(findPort(p, { port: 80, targetPort: 'nope' })).toBeUndefined();
  });

  it('podView: the delay counts from the delete request', () => {
    // Deleted at 11:59:50 with a 30 s grace period: deletionTimestamp 12:00:20.
    const p = pod('a', { deleting: { at: '2024-05-01T12:00:20Z', grace: 30 } });
    expect(podView(p, { now: NOW, removalDelayMs: 0 })).toEqual({ terminating: true, lagging: false });
    expect(podView(p, { now: NOW, removalDelayMs: 15000 })).toEqual({ terminating: false, lagging: true, flipAt: Date.parse('2024-05-01T12:00:05Z') });
    expect(podView(p, { now: NOW, removalDelayMs: 5000 })).toEqual({ terminating: true, lagging: false });
  });
});

describe('endpointsFor', () => {
  it('leaves Services without selector and ExternalName alone', () => {
    expect(endpointsFor(service({ selector: undefined }), [pod('a')], opts)).toBeUndefined();
    expect(endpointsFor(service({ type: 'ExternalName', externalName: 'x.example' }), [pod('a')], opts)).toBeUndefined();
  });

  it('ready and not-ready addresses, resolved ports, sorted by IP', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }, { tier: 'web' });
    const pods = [pod('bb', { ip: '10.88.0.9' }), pod('a', { ip: '10.88.0.10' }), pod('ccc', { ip: '10.88.0.11', ready: false }),
      pod('other', { labels: { app: 'db' } }), pod('elsewhere', { ns: 'prod' }), pod('done', { phase: 'Succeeded' }), pod('noip', { ip: '' })];
    const r = endpointsFor(svc, pods, opts)!;
    expect(r.nextChangeAt).toBeUndefined();
    expect(r.endpoints).toEqual({
      kind: 'Endpoints', apiVersion: 'v1', metadata: { name: 'web', namespace: 'default', labels: { tier: 'web' } },
      subsets: [{ addresses: [addr('10.88.0.10', 'a'), addr('10.88.0.9', 'bb')], notReadyAddresses: [addr('10.88.0.11', 'ccc')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    });
  });

  it('pods resolving a named port differently get different subsets', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'admin', port: 9000, targetPort: 9000, protocol: 'TCP' }] });
    const subsets = endpointsFor(svc, [pod('a', { ip: '10.88.0.2' }), pod('b', { ip: '10.88.0.3', httpPort: 8081 })], opts)!.endpoints.subsets!;
    expect(subsets).toHaveLength(3);
    expect(subsets.find((s) => s.ports?.length === 1 && s.ports[0]!.port === 8080)!.addresses).toEqual([addr('10.88.0.2', 'a')]);
    expect(subsets.find((s) => s.ports?.length === 1 && s.ports[0]!.port === 8081)!.addresses).toEqual([addr('10.88.0.3', 'b')]);
    expect(subsets.find((s) => s.ports?.[0]?.port === 9000)!.addresses).toEqual([addr('10.88.0.2', 'a'), addr('10.88.0.3', 'b')]);
  });

  it('no pods: no subsets; headless: the label, and no ports needed', () => {
    expect(endpointsFor(service({ ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }), [], opts)!.endpoints).toEqual({
      kind: 'Endpoints', apiVersion: 'v1', metadata: { name: 'web', namespace: 'default' },
    });
    const r = endpointsFor(service({ clusterIP: 'None', clusterIPs: ['None'] }), [pod('a', { ip: '10.88.0.2', hostname: 'h', subdomain: 'web' })], opts)!;
    expect(r.endpoints.metadata!.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(r.endpoints.subsets).toEqual([{ addresses: [{ ip: '10.88.0.2', hostname: 'h', nodeName: 'node1', targetRef: addr('', 'a').targetRef }] }]);
  });

  it('terminating pods leave at once, or after the removal delay, or stay with publishNotReadyAddresses', () => {
    const svc = service({ ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] });
    const gone = pod('a', { ip: '10.88.0.2', ready: false, phase: 'Failed', deleting: { at: '2024-05-01T12:00:20Z', grace: 30 } });
    expect(endpointsFor(svc, [gone], opts)!.endpoints.subsets).toBeUndefined();
    const lagging = endpointsFor(svc, [gone], { now: NOW, removalDelayMs: 15000 })!;
    expect(lagging.endpoints.subsets).toEqual([{ addresses: [addr('10.88.0.2', 'a')], ports: [{ port: 80, protocol: 'TCP' }] }]);
    expect(lagging.nextChangeAt).toBe(Date.parse('2024-05-01T12:00:05Z'));
    const running = pod('b', { ip: '10.88.0.3', ready: false, deleting: { at: '2024-05-01T12:00:20Z', grace: 30 } });
    expect(endpointsFor(service({ ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }], publishNotReadyAddresses: true }), [running], opts)!.endpoints.subsets)
      .toEqual([{ addresses: [addr('10.88.0.3', 'b')], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  it('writes the trigger-time annotation when given', () => {
    const r = endpointsFor(service({ ports: [] }), [], { ...opts, lastChangeTriggerTime: '2024-05-01T12:00:00Z' })!;
    expect(r.endpoints.metadata!.annotations).toEqual({ 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T12:00:00Z' });
  });
});

describe('endpointSlicesFor', () => {
  const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }, { tier: 'web', 'kubernetes.io/service-name': 'spoof' });

  it('one slice with conditions, labels and the Service as owner', () => {
    const r = endpointSlicesFor(svc, [pod('b', { ip: '10.88.0.3', ready: false }), pod('a', { ip: '10.88.0.2' })], opts)!;
    expect(r.slices).toHaveLength(1);
    const s = r.slices[0]!;
    expect(s).toEqual({
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1',
      metadata: {
        name: `web-${sliceSuffix('svc-uid\n[{"name":"http","protocol":"TCP","port":8080}]')}`,
        generateName: 'web-', namespace: 'default',
        labels: { tier: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.88.0.2'], conditions: { ready: true, serving: true, terminating: false }, targetRef: addr('', 'a').targetRef, nodeName: 'node1' },
        { addresses: ['10.88.0.3'], conditions: { ready: false, serving: false, terminating: false }, targetRef: addr('', 'b').targetRef, nodeName: 'node1' },
      ],
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
    expect(s.metadata!.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(endpointSlicesFor(svc, [pod('a', { ip: '10.88.0.2' })], opts)!.slices[0]!.metadata!.name).toBe(s.metadata!.name);
  });

  it('terminating pods stay, serving but not ready; the delay shows them as before', () => {
    const p = pod('a', { ip: '10.88.0.2', deleting: { at: '2024-05-01T12:00:20Z', grace: 30 } });
    expect(endpointSlicesFor(svc, [p], opts)!.slices[0]!.endpoints[0]!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    const lag = endpointSlicesFor(svc, [{ ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'False' }] } }], { now: NOW, removalDelayMs: 15000 })!;
    expect(lag.slices[0]!.endpoints[0]!.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(lag.nextChangeAt).toBe(Date.parse('2024-05-01T12:00:05Z'));
    const pub = endpointSlicesFor({ ...svc, spec: { ...svc.spec, publishNotReadyAddresses: true } }, [p], opts)!;
    expect(pub.slices[0]!.endpoints[0]!.conditions).toEqual({ ready: true, serving: true, terminating: true });
  });

  it('a placeholder slice without pods; one slice per port mapping', () => {
    const empty = endpointSlicesFor(svc, [], opts)!.slices;
    expect(empty).toHaveLength(1);
    expect(empty[0]!.endpoints).toEqual([]);
    expect(empty[0]!.ports).toEqual([]);
    const two = endpointSlicesFor(svc, [pod('a', { ip: '10.88.0.2' }), pod('b', { ip: '10.88.0.3', httpPort: 9090 })], opts)!.slices;
    expect(two.map((s) => s.ports![0]!.port).sort()).toEqual([8080, 9090]);
    expect(new Set(two.map((s) => s.metadata!.name)).size).toBe(2);
  });

  it('headless: the label and no ports; more than 100 endpoints split', () => {
    const headless = endpointSlicesFor(service({ clusterIP: 'None', clusterIPs: ['None'] }), [pod('a', { ip: '10.88.0.2', hostname: 'h', subdomain: 'web' })], opts)!.slices[0]!;
    expect(headless.metadata!.labels!['service.kubernetes.io/headless']).toBe('');
    expect(headless.ports).toEqual([]);
    expect(headless.endpoints[0]!.hostname).toBe('h');
    const many = Array.from({ length: 150 }, (_, i) => pod(`p${i}`, { ip: `10.88.1.${i}` }));
    const split = endpointSlicesFor(svc, many, opts)!.slices;
    expect(split.map((s) => s.endpoints.length).sort()).toEqual([100, 50]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatEndpoints, tableFor } from '../src/api/printers/tables.js';
import type { Endpoints, Event, Namespace, Service } from '../src/api/types.js';
import { NOW, ago, failedPod, webEvents, webPod } from './printers.fixtures.js';

describe('tableFor: the meta.k8s.io/v1 Table envelope', () => {
  const t = tableFor('Pod', [webPod, failedPod], { now: NOW, resourceVersion: '42' });

  it('has kind, apiVersion, metadata.resourceVersion', () => {
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '42' });
  });

  it('declares the pod columns with priorities, formats and API docs', () => {
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
    expect(t.columnDefinitions[4]!.description).toMatch(/^CreationTimestamp is a timestamp .* UTC\.\n\nPopulated by the system\./);
    // Key order as the API server serializes it.
    expect(Object.keys(t.columnDefinitions[0]!)).toEqual(['name', 'type', 'format', 'description', 'priority']);
  });

  it('always fills the wide cells', () => {
    expect(t.rows[0]!.cells).toEqual(['web-7d4b9c8f6d-x2kqp', '1/1', 'Running', '2 (25m ago)', '65m', '10.88.0.4', 'tinylet', '<none>', '<none>']);
    expect(t.rows[1]!.cells).toEqual(['job-x', '0/1', 'Error', '0', '25h', '10.88.0.9', 'tinylet', '<none>', '<none>']);
  });

  it('marks finished pods with a Completed row condition', () => {
    expect(t.rows[0]!.conditions).toBeUndefined();
    expect(t.rows[1]!.conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    expect(Object.keys(t.rows[1]!)).toEqual(['cells', 'conditions', 'object']);
  });

  it('includeObject: Metadata (default), Object, None', () => {
    expect(t.rows[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: webPod.metadata });
    const full = tableFor('Pod', [webPod], { now: NOW, includeObject: 'Object' });
    expect(full.rows[0]!.object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', spec: webPod.spec });
    expect(tableFor('Pod', [webPod], { now: NOW, includeObject: 'None' }).rows[0]!.object).toBeNull();
  });

  it('readiness gates count True conditions', () => {
    const p = { ...webPod, spec: { ...webPod.spec!, readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] } };
    p.status = { ...webPod.status, conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] };
    expect(tableFor('Pod', [p], { now: NOW }).rows[0]!.cells[8]).toBe('1/2');
  });
});

describe('event rows', () => {
  it('LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME', () => {
    const t = tableFor('Event', webEvents, { now: NOW });
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(t.rows[1]!.cells).toEqual([
      '25m', 'Warning', 'Unhealthy', 'pod/web-7d4b9c8f6d-x2kqp', 'spec.containers{web}', 'kubelet, tinylet',
      'Liveness probe failed: HTTP probe failed with statuscode: 500', '50m', 6, 'web-7d4b9c8f6d-x2kqp.17c2',
    ]);
  });
  it('new-style events: eventTime, series, reportingComponent, count defaults to 1', () => {
    const ev: Event = {
      metadata: { name: 'n' }, involvedObject: { kind: 'Node' }, type: 'Normal', reason: 'Starting', message: ' hi \n',
      eventTime: ago(30).replace('Z', '.000000Z'), reportingComponent: 'kubelet', reportingInstance: 'tinylet',
    };
    expect(tableFor('Event', [ev], { now: NOW }).rows[0]!.cells).toEqual(['30s', 'Normal', 'Starting', 'node', '', 'kubelet, tinylet', 'hi', '30s', 1, 'n']);
    const series = { ...ev, series: { count: 4, lastObservedTime: ago(5).replace('Z', '.000000Z') } };
    const cells = tableFor('Event', [series], { now: NOW }).rows[0]!.cells;
    expect([cells[0], cells[8]]).toEqual(['5s', 4]);
  });
  it('<unknown> when no time is set', () => {
    const ev: Event = { metadata: { name: 'n' }, involvedObject: { kind: 'Pod', name: 'p' } };
    expect(tableFor('Event', [ev], { now: NOW }).rows[0]!.cells.slice(0, 4)).toEqual(['<unknown>', '', '', 'pod/p']);
  });
});

describe('namespace, service and endpoints rows', () => {
  it('namespaces: NAME, STATUS, AGE', () => {
    const ns: Namespace = { metadata: { name: 'default', creationTimestamp: ago(864000) }, status: { phase: 'Active' } };
    const t = tableFor('Namespace', [ns], { now: NOW });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(t.rows[0]!.cells).toEqual(['default', 'Active', '10d']);
  });

  it('services: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE, SELECTOR', () => {
    const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { name: 's', creationTimestamp: ago(60) }, spec, status });
    const cells = (s: Service) => tableFor('Service', [s], { now: NOW }).rows[0]!.cells;
    expect(cells(svc({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], selector: { tier: 'f', app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] })))
      .toEqual(['s', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '60s', 'app=web,tier=f']);
    expect(cells(svc({ type: 'NodePort', clusterIPs: ['10.96.0.11'], externalIPs: ['1.2.3.4'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] })).slice(1, 5))
      .toEqual(['NodePort', '10.96.0.11', '1.2.3.4', '80:30080/TCP']);
    expect(cells(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'] })).slice(3, 5)).toEqual(['<pending>', '<none>']);
    expect(cells(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example' }] } }))[3]).toBe('5.6.7.8,lb.example');
    expect(cells(svc({ type: 'ExternalName', externalName: 'example.com' })).slice(2, 4)).toEqual(['<none>', 'example.com']);
  });

  it('endpoints: up to three ip:port, then "+ N more..."', () => {
    const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: { name: 'e' }, subsets });
    expect(formatEndpoints(ep(undefined))).toBe('<none>');
    expect(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }] }]))).toBe('10.0.0.1');
    expect(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 80 }] }]))).toBe('10.0.0.1:80,[fd00::1]:80');
    const many = ep([{ addresses: [{ ip: 'a' }, { ip: 'b' }, { ip: 'c' }], ports: [{ port: 1 }, { port: 2 }] }]);
    expect(formatEndpoints(many)).toBe('a:1,b:1,c:1 + 3 more...');
    expect(tableFor('Endpoints', [{ ...many, metadata: { name: 'e', creationTimestamp: ago(5) } }], { now: NOW }).rows[0]!.cells)
      .toEqual(['e', 'a:1,b:1,c:1 + 3 more...', '5s']);
  });
});

import { describe, expect, it } from 'vitest';
import { formatDiscoveryEndpoints, formatDiscoveryPorts, tableFor } from '../src/api/printers/tables.js';
import type { ConfigMap, EndpointSlice, Secret, Service } from '../src/api/types.js';
import { NOW, ago } from './printers.fixtures.js';

const header = (kind: Parameters<typeof tableFor>[0]) => tableFor(kind, [], { now: NOW }).columnDefinitions.map((c) => [c.name, c.priority]);

describe('ConfigMap and Secret rows', () => {
  it('configmaps: NAME DATA AGE, DATA counting data and binaryData', () => {
    expect(header('ConfigMap')).toEqual([['Name', 0], ['Data', 0], ['Age', 0]]);
    const cm: ConfigMap = { metadata: { name: 'cfg', creationTimestamp: ago(120) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } };
    expect(tableFor('ConfigMap', [cm], { now: NOW }).rows[0]!.cells).toEqual(['cfg', 3, '2m']);
    expect(tableFor('ConfigMap', [{ metadata: { name: 'e' } }], { now: NOW }).rows[0]!.cells).toEqual(['e', 0, '<unknown>']);
    expect(tableFor('ConfigMap', [], { now: NOW }).columnDefinitions[1]!.description).toMatch(/^Data contains the configuration data\./);
  });

  it('secrets: NAME TYPE DATA AGE', () => {
    expect(header('Secret')).toEqual([['Name', 0], ['Type', 0], ['Data', 0], ['Age', 0]]);
    const s: Secret = { metadata: { name: 'tls', creationTimestamp: ago(3 * 86400) }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } };
    expect(tableFor('Secret', [s], { now: NOW }).rows[0]!.cells).toEqual(['tls', 'kubernetes.io/tls', 2, '3d']);
  });
});

describe('EndpointSlice rows', () => {
  const slice = (ports: EndpointSlice['ports'], addresses: string[][]): EndpointSlice => ({
    metadata: { name: 'web-abcde', creationTimestamp: ago(30) },
    addressType: 'IPv4',
    ports,
    endpoints: addresses.map((a) => ({ addresses: a, conditions: { ready: true } })),
  });

  it('NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    expect(header('EndpointSlice')).toEqual([['Name', 0], ['AddressType', 0], ['Ports', 0], ['Endpoints', 0], ['Age', 0]]);
    const s = slice([{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }], [['10.88.0.2'], ['10.88.0.3']]);
    expect(tableFor('EndpointSlice', [s], { now: NOW }).rows[0]!.cells).toEqual(['web-abcde', 'IPv4', '80,443', '10.88.0.2,10.88.0.3', '30s']);
  });

  it('<unset> for none, up to three then "+ N more...", a name or * without a number', () => {
    expect(formatDiscoveryPorts(undefined)).toBe('<unset>');
    expect(formatDiscoveryPorts([])).toBe('<unset>');
    expect(formatDiscoveryPorts([{ name: 'dns' }, {}])).toBe('dns,*');
    expect(formatDiscoveryPorts([{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }])).toBe('1,2,3 + 2 more...');
    expect(formatDiscoveryEndpoints([])).toBe('<unset>');
    expect(formatDiscoveryEndpoints(slice([], [['a'], ['b', 'c'], ['d'], ['e']]).endpoints)).toBe('a,b,c + 2 more...');
  });

  it('includeObject=Object carries the discovery.k8s.io/v1 apiVersion', () => {
    const s = slice([], []);
    expect(tableFor('EndpointSlice', [s], { now: NOW, includeObject: 'Object' }).rows[0]!.object).toMatchObject({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' });
    expect(tableFor('Secret', [{ metadata: { name: 'x' } }], { now: NOW, includeObject: 'Object' }).rows[0]!.object).toMatchObject({ kind: 'Secret', apiVersion: 'v1' });
  });
});

describe('Service rows as printService prints them', () => {
  const cells = (spec: Service['spec']) => tableFor('Service', [{ metadata: { name: 's', creationTimestamp: ago(60) }, spec }], { now: NOW }).rows[0]!.cells;

  it('headless CLUSTER-IP None, NodePort ports, LoadBalancer <pending>, wide SELECTOR', () => {
    expect(cells({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' } })).toEqual(['s', 'ClusterIP', 'None', '<none>', '<none>', '60s', 'app=db']);
    expect(cells({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }).slice(2, 5))
      .toEqual(['10.96.0.11', '<none>', '80:30080/TCP,53/UDP']);
    expect(cells({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }).slice(1, 5))
      .toEqual(['LoadBalancer', '10.96.0.12', '<pending>', '80:31000/TCP']);
    expect(cells({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] })[3]).toBe('1.2.3.4');
    expect(cells({ type: 'ClusterIP', clusterIPs: ['10.96.0.1'] })[6]).toBe('<none>');
  });
});

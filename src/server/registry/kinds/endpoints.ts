// v1 Endpoints. The endpoints controller writes those of Services with a selector; a Service
// without one gets the Endpoints its user writes, as in a cluster.
import { type FieldError, child, index, invalid, required, unsupported } from '../../../api/fieldErrors.js';
import type { EndpointSlice, Endpoints } from '../../../api/types.js';
import { validateObjectMeta } from '../../../api/validateMeta.js';
import type { Strategy } from '../strategy.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function validPort(p: { port?: number; protocol?: string } | undefined, path: string, out: FieldError[]): void {
  if (!Number.isInteger(p?.port) || p!.port! < 1 || p!.port! > 65535) out.push(invalid(child(path, 'port'), p?.port, 'must be between 1 and 65535, inclusive'));
  if (p?.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) out.push(unsupported(child(path, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  const out = validateObjectMeta(ep.metadata ?? {});
  (ep.subsets ?? []).forEach((s, i) => {
    const path = index('subsets', i);
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (s[list] ?? []).forEach((a, j) => {
        if (typeof a?.ip !== 'string' || !IPV4.test(a.ip)) out.push(invalid(child(index(child(path, list), j), 'ip'), a?.ip, 'must be a valid IP address'));
      });
    }
    (s.ports ?? []).forEach((p, j) => validPort(p, index(child(path, 'ports'), j), out));
  });
  return out;
}

function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const out = validateObjectMeta(es.metadata ?? {});
  if (!es.addressType) out.push(required('addressType'));
  else if (!['IPv4', 'IPv6', 'FQDN'].includes(es.addressType)) out.push(unsupported('addressType', es.addressType, ['FQDN', 'IPv4', 'IPv6']));
  (es.endpoints ?? []).forEach((e, i) => {
    const path = index('endpoints', i);
    if (!Array.isArray(e?.addresses) || e.addresses.length === 0) out.push(required(child(path, 'addresses'), 'must contain at least 1 address'));
    else if (es.addressType === 'IPv4') e.addresses.forEach((a, j) => !IPV4.test(String(a)) && out.push(invalid(index(child(path, 'addresses'), j), a, 'must be a valid IPv4 address')));
  });
  (es.ports ?? []).forEach((p, j) => p?.port !== undefined && validPort(p as { port: number }, index('ports', j), out));
  return out;
}

export const endpointsStrategy: Strategy = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  resource: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  tableKind: 'Endpoints',
  validate: (o) => validateEndpoints(o as Endpoints),
};

export const endpointSliceStrategy: Strategy = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  tableKind: 'EndpointSlice',
  validate: (o) => validateEndpointSlice(o as unknown as EndpointSlice),
};

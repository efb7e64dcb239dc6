// The v1 Endpoints the endpoints controller (pkg/controller/endpoint, syncService) writes for a
// Service: each selected pod's address under every Service port it resolves, ready pods in
// `addresses` and the others in `notReadyAddresses`, then repacked as RepackSubsets does (pods
// that resolve the same ports share a subset). Terminating pods are left out, unless
// publishNotReadyAddresses makes every pod a ready address.
//
// Subsets and their ports are ordered by their content; the controller orders them by a hash of
// it, which is just as stable but not reproducible here.
import type { Endpoints, EndpointSubset, Pod, Service } from '../../api/types.js';
import {
  type EndpointOptions, LAST_CHANGE_TRIGGER_TIME, byteOrder, earliest, endpointLabels, findPort, isPodReady, podIPv4s, podRef, podView,
  selectedPods, shouldBeInEndpoints, shouldSetHostname,
} from './podEndpoints.js';

type Address = NonNullable<EndpointSubset['addresses']>[number];
type Port = NonNullable<EndpointSubset['ports']>[number];

export interface EndpointsResult {
  endpoints: Endpoints;
  /** Epoch ms when a terminating pod kept by the removal delay must leave: sync again then. */
  nextChangeAt?: number;
}

const portKey = (p: Port | undefined): string => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']) : '');
const addrKey = (a: Address): string => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const lessAddr = (a: Address, b: Address): number => byteOrder(a.ip, b.ip) || byteOrder(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

function address(pod: Pod, svc: Service, ip: string): Address {
  const a: Address = { ip };
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname!;
  a.nodeName = pod.spec?.nodeName ?? '';
  a.targetRef = podRef(pod);
  return a;
}

/** RepackSubsets: group ports by the exact set of (address, ready) that offers them. */
function repack(entries: { addr: Address; port?: Port; ready: boolean }[]): EndpointSubset[] {
  const byPort = new Map<string, { port?: Port; addrs: Map<string, { addr: Address; ready: boolean }> }>();
  for (const e of entries) {
    const pk = portKey(e.port);
    let slot = byPort.get(pk);
    if (!slot) byPort.set(pk, (slot = { port: e.port, addrs: new Map() }));
    const ak = addrKey(e.addr);
    const was = slot.addrs.get(ak);
    // A ready sighting wins over a not-ready one.
    if (!was || !was.ready) slot.addrs.set(ak, { addr: was?.addr ?? e.addr, ready: e.ready });
  }
  const groups = new Map<string, { addrs: { addr: Address; ready: boolean }[]; ports: Port[] }>();
  for (const { port, addrs } of byPort.values()) {
    const list = [...addrs.values()].sort((x, y) => lessAddr(x.addr, y.addr) || Number(y.ready) - Number(x.ready));
    const gk = JSON.stringify(list.map((x) => [addrKey(x.addr), x.ready]));
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { addrs: list, ports: [] }));
    if (port) g.ports.push(port);
  }
  const subsets = [...groups.values()].map(({ addrs, ports }) => {
    const s: EndpointSubset = {};
    const ready = addrs.filter((x) => x.ready).map((x) => x.addr);
    const notReady = addrs.filter((x) => !x.ready).map((x) => x.addr);
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (ports.length) s.ports = ports.sort((a, b) => byteOrder(portKey(a), portKey(b)));
    return s;
  });
  const subsetKey = (s: EndpointSubset) => `${(s.ports ?? []).map(portKey).join(',')}|${[...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map(addrKey).join(',')}`;
  return subsets.sort((a, b) => byteOrder(subsetKey(a), subsetKey(b)));
}

/**
 * The Endpoints for `svc` (same name and namespace; labels the Service's plus
 * `service.kubernetes.io/headless: ""` when it has no cluster IP), or undefined when the
 * controller leaves the Service alone (no selector, or ExternalName).
 */
export function endpointsFor(svc: Service, pods: readonly Pod[], opts: EndpointOptions): EndpointsResult | undefined {
  const selected = selectedPods(svc, pods);
  if (!selected) return undefined;
  const spec = svc.spec ?? {};
  const tolerateUnready = spec.publishNotReadyAddresses === true;
  const entries: { addr: Address; port?: Port; ready: boolean }[] = [];
  const flips: (number | undefined)[] = [];
  for (const pod of selected) {
    const view = podView(pod, opts);
    if (!shouldBeInEndpoints(pod, view, tolerateUnready)) continue;
    flips.push(view.flipAt);
    const addr = address(pod, svc, podIPv4s(pod)[0]!);
    const ready = tolerateUnready || view.lagging || isPodReady(pod);
    const ports = spec.ports ?? [];
    if (ports.length === 0) {
      // Headless Services may have no ports; the address is published without any.
      if (spec.clusterIP === 'None') entries.push({ addr, ready });
      continue;
    }
    for (const sp of ports) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      const port: Port = sp.name ? { name: sp.name, port: num, protocol: sp.protocol ?? 'TCP' } : { port: num, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) port.appProtocol = sp.appProtocol;
      entries.push({ addr, port, ready });
    }
  }
  const metadata: Endpoints['metadata'] = { name: svc.metadata?.name ?? '', namespace: svc.metadata?.namespace ?? 'default' };
  const labels = endpointLabels(svc);
  if (Object.keys(labels).length) metadata.labels = labels;
  if (opts.lastChangeTriggerTime) metadata.annotations = { [LAST_CHANGE_TRIGGER_TIME]: opts.lastChangeTriggerTime };
  const endpoints: Endpoints = { kind: 'Endpoints', apiVersion: 'v1', metadata };
  const subsets = repack(entries);
  if (subsets.length) endpoints.subsets = subsets;
  const nextChangeAt = earliest(flips);
  return nextChangeAt === undefined ? { endpoints } : { endpoints, nextChangeAt };
}

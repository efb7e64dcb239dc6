// Cell helpers for Services and Endpoints (printers.go getServiceExternalIP, makePortString,
// formatEndpoints). Unset type/protocol read as the API server's defaults (ClusterIP, TCP).
import type { Endpoints, Service } from '../types.js';

/** getServiceExternalIP, as the server renders it (always wide, so no truncation). */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      // Wide output never truncates the ingress list, and the server always renders wide.
      const ingress = [
        ...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean)),
      ].sort();
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: "80/TCP", "80:30080/TCP" with a node port, comma-separated. */
export function servicePorts(svc: Service): string {
  return (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

/** formatEndpoints: up to three ip:port pairs, then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  if (!ep.subsets?.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  // Returns false once the list is full, which ends the current address loop (counting goes on).
  const add = (s: string): boolean => {
    if (list.length === max) {
      more = true;
      return false;
    }
    list.push(s);
    return true;
  };
  for (const ss of ep.subsets) {
    const addrs = ss.addresses ?? [];
    if (!ss.ports?.length) {
      // Headless services may have no ports.
      count += addrs.length;
      for (const a of addrs) if (!add(a.ip)) break;
      continue;
    }
    for (const port of ss.ports) {
      count += addrs.length;
      for (const a of addrs) {
        const host = a.ip.includes(':') ? `[${a.ip}]` : a.ip; // net.JoinHostPort
        if (!add(`${host}:${port.port}`)) break;
      }
    }
  }
  return more ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

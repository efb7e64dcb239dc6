// The Service environment variables the kubelet gives every container (pkg/kubelet/envvars
// FromServices, selected as kubelet_pods.go getServiceEnvVarMap does): the `kubernetes` Service of
// the default namespace always (in-cluster clients find the API through KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT), and, when spec.enableServiceLinks is not false, every Service of the
// pod's own namespace that has a cluster IP. Headless and ExternalName Services have none: no variables.
import type { Pod, Service } from '../api/types.js';

/** The API server's Service: its variables are given even with enableServiceLinks false. */
const MASTER_SERVICE = { namespace: 'default', name: 'kubernetes' };

/** makeEnvVariableName: `my-svc` -> `MY_SVC`. */
const envName = (s: string) => s.replace(/-/g, '_').toUpperCase();

/** IsServiceIPSet: a cluster IP that is neither empty nor `None`. */
const hasClusterIP = (svc: Service) => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** net.JoinHostPort: IPv6 addresses in brackets. */
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** FromServices for one Service, in the kubelet's order: host, ports, then the Docker link variables. */
export function serviceEnvVars(svc: Service): Array<[string, string]> {
  const ports = svc.spec?.ports ?? [];
  if (!hasClusterIP(svc) || ports.length === 0) return [];
  const ip = svc.spec!.clusterIP!;
  const prefix = envName(svc.metadata?.name ?? '');
  const out: Array<[string, string]> = [[`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const proto = (p.protocol || 'TCP').toLowerCase();
    const url = `${proto}://${hostPort(ip, p.port)}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, proto], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

/**
 * The variables for a pod, from the Services of its namespace and of `default` (getServiceEnvVarMap).
 * A Service of the pod's namespace named `kubernetes` replaces the master's, as in the kubelet.
 */
export function podServiceEnv(pod: Pod, services: (namespace: string) => Service[]): Array<[string, string]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  const master = services(MASTER_SERVICE.namespace).find((s) => s.metadata?.name === MASTER_SERVICE.name && hasClusterIP(s));
  if (master) chosen.set(MASTER_SERVICE.name, master);
  if (links) for (const s of services(ns)) if (hasClusterIP(s) && s.metadata?.name) chosen.set(s.metadata.name, s);
  return [...chosen.values()].flatMap(serviceEnvVars);
}

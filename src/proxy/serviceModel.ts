// What the Service proxy is told: Services already resolved to ready endpoints, as kube-proxy's own
// change trackers hand them to its proxier. Building this from Service and EndpointSlice objects is
// the caller's job (the agent); src/proxy/ only turns it into kernel rules.

/** A ready (serving) backend of one Service port: a pod IP and its target port. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
}

export interface ProxyPort {
  name?: string;
  protocol: 'TCP' | 'UDP';
  /** The Service port, on the ClusterIP. */
  port: number;
  /** Reachable from the host only: 127.0.0.1 and the host's own addresses (see serviceRules.ts). */
  nodePort?: number;
  /** Empty: connections are rejected at once (TCP reset, ICMP port unreachable), as kube-proxy does. */
  endpoints: ProxyEndpoint[];
}

export interface ProxyService {
  namespace: string;
  name: string;
  /** Absent for headless Services, which get no rules. IPv4 only (the table is `ip` family). */
  clusterIP?: string;
  ports: ProxyPort[];
  /** sessionAffinity ClientIP when set: a client keeps its endpoint this many seconds after its last new connection. */
  affinityTimeoutSeconds?: number;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentConfig } from '../kubelet/config.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import type { WatchHub } from './watchHub.js';
import type { Event, Pod } from '../api/types.js';
import type { ObjectStore } from '../store/objectStore.js';
import type { ApiRegistry } from './registry/apiRegistry.js';
import type { ServiceAccountTokens } from './serviceAccountTokens.js';

/** What the handlers may use: the kubelet (desired state in, facts out) and the watch hubs. */
export interface ApiServices {
  kubelet: Kubelet;
  config: AgentConfig;
  pods: WatchHub<Pod>;
  events: WatchHub<Event>;
  /** Every kind besides pods and events (Services, ConfigMaps, ...), and the registry serving them. */
  objects: ObjectStore;
  registry: ApiRegistry;
  /** The TCP listener's address, for `tinylet kubeconfig` (undefined when it is off). */
  tcpAddress(): { host: string; port: number } | undefined;
  token: string;
  /** Issues and verifies the pods' service account tokens (undefined: no TCP API, no tokens). */
  serviceAccounts?: ServiceAccountTokens;
  /**
   * Durable before acknowledged: brings this pod's store file in line with the kubelet (written
   * and fsynced, or removed) before a mutating request answers. Throws when it cannot (an error
   * with code ESHUTDOWN once the store records nothing more); handlers/durable.ts makes that a 5xx.
   */
  commitPod(namespace: string, name: string): void;
  /** Certificate and key of the TCP listener (HTTPS). */
  tls?: { cert: string; key: string };
}

/** One request, parsed. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  query: URLSearchParams;
  services: ApiServices;
  /**
   * 'unix' requests are trusted by the socket's permissions; 'tcp' ones carried a valid token (the
   * admin token, or a service account's, already authorized for this request), or asked a public path.
   */
  transport: 'unix' | 'tcp';
}

export interface ResourcePath {
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

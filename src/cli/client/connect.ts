import { defaultConfig } from '../../kubelet/config.js';
import { ApiClient, type Endpoint } from './apiClient.js';
import { readKubeconfig } from './kubeconfig.js';

/** Options every command talking to the agent takes (set on the program, read with optsWithGlobals). */
export interface ConnectionOptions {
  server?: string;
  kubeconfig?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
}

export interface Connection {
  client: ApiClient;
  /** -n, else the kubeconfig context's namespace, else default. */
  namespace: string;
}

/**
 * Where the agent is: --kubeconfig (or $KUBECONFIG only when asked), --server (unix:///path or
 * https://host:port with --token), $TINYLET_SOCKET, else the default socket /run/tinylet/tinylet.sock.
 */
export function connect(opts: ConnectionOptions): Connection {
  let endpoint: Endpoint;
  let namespace = opts.namespace;
  if (opts.kubeconfig) {
    const k = readKubeconfig(opts.kubeconfig);
    endpoint = endpointFor(opts.server ?? k.server, opts.token ?? k.token, k.ca, opts.insecureSkipTlsVerify ?? k.insecure);
    namespace ??= k.namespace;
  } else {
    endpoint = endpointFor(opts.server ?? `unix://${process.env.TINYLET_SOCKET ?? defaultConfig().socketPath}`, opts.token, undefined, opts.insecureSkipTlsVerify);
  }
  return { client: new ApiClient(endpoint), namespace: namespace || 'default' };
}

function endpointFor(server: string, token: string | undefined, ca: string | undefined, insecure: boolean | undefined): Endpoint {
  if (server.startsWith('unix://')) return { display: server, socketPath: server.slice('unix://'.length) };
  if (server.startsWith('/')) return { display: `unix://${server}`, socketPath: server };
  const url = new URL(server);
  if (url.protocol !== 'https:') throw new Error(`--server ${server}: the agent's TCP listener speaks HTTPS (or use unix:///path/to/tinylet.sock)`);
  return { display: server, url, token, ca, insecure };
}

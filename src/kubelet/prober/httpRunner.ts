import type { HTTPGetAction } from '../../api/types.js';
import type { ProbeTarget } from './types.js';
import { errored, type Runner } from './runner.js';
import { httpProbe, type Hop } from './httpProbe.js';
import { probeHeaders, requestPath } from './httpRequest.js';
import { joinHostPort, podIP, resolvePort } from './target.js';

/**
 * http_runner.go: the request is built once and rebuilt only when the pod IP changes; each probe is one
 * GET on a new connection.
 */
export function httpRunner(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number): Runner {
  const port = resolvePort(action.port, target.container);
  if (port instanceof Error) return errored(port);
  const protocol = action.scheme?.toLowerCase() === 'https' ? 'https:' : 'http:';
  const path = requestPath(action.path);
  const { headers, host: hostHeader } = probeHeaders(action.httpHeaders);
  let hop: Hop | undefined;

  return () => {
    const hostname = action.host || podIP(target);
    if (hop?.hostname !== hostname) {
      hop = { protocol, hostname, port, path, headers: { ...headers, host: hostHeader ?? joinHostPort(hostname, port) } };
    }
    return httpProbe(hop, timeoutMs);
  };
}

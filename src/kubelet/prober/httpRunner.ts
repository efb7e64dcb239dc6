import type { HTTPGetAction } from '../../api/types.js';
import type { ProbeTarget } from './types.js';
import { errored, type ProbeOutcome, type Runner } from './runner.js';
import { hopURL, type Hop } from './httpHop.js';
import { httpProbe } from './httpProbe.js';
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
  const { lines, host, invalid } = probeHeaders(action.httpHeaders);
  let hop: Hop | undefined;

  return () => {
    const hostname = action.host || podIP(target);
    if (hop?.hostname !== hostname) hop = { protocol, hostname, port, path, host: host ?? joinHostPort(hostname, port), lines };
    if (invalid) return Promise.resolve<ProbeOutcome>({ result: 'failure', output: `Get ${JSON.stringify(hopURL(hop))}: ${invalid}` });
    return httpProbe(hop, timeoutMs);
  };
}

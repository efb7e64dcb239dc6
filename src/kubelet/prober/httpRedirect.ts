import { hopURL, type Hop } from './httpHop.js';

const redirectCodes = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 10;

/**
 * Go's client with the kubelet's redirect checker: follow a redirect when it stays on the probe's
 * hostname, give up after 10, and stop at one to another host so that its 3xx answer becomes the
 * result (undefined: use this response). An Error carries the probe's failure output.
 */
export function nextHop(first: Hop, hop: Hop, status: number, location: string | undefined, redirects: number): Hop | Error | undefined {
  if (location === undefined || !redirectCodes.has(status)) return undefined;
  let url: URL;
  try {
    url = new URL(location, hopURL(hop));
  } catch {
    return new Error(`Get ${JSON.stringify(hopURL(hop))}: failed to parse Location header ${JSON.stringify(location)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new Error(`Get ${JSON.stringify(url.href)}: unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`);
  }
  if (url.hostname !== new URL(hopURL(first)).hostname) return undefined;
  if (redirects >= maxRedirects) return new Error(`Get ${JSON.stringify(url.href)}: stopped after ${maxRedirects} redirects`);
  // A Host header the probe set survives a relative redirect only (net/http, issue 22233).
  const relative = !/^[a-z][a-z0-9+.-]*:/i.test(location);
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    path: url.pathname + url.search,
    host: relative ? hop.host : url.host,
    lines: hop.lines,
  };
}

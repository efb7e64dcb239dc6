import type { OutgoingHttpHeaders } from 'node:http';
import type { HTTPHeader } from 'kubernetes-types/core/v1.js';

/** The kubelet names itself `kube-probe/<major>.<minor>`; tinylet speaks the 1.30 API. */
export const probeUserAgent = 'kube-probe/1.30';

/**
 * request.go: the probe's headers from httpHeaders, with User-Agent and `Accept: *\/*` unless the probe
 * sets them (an empty Accept removes it). A `Host` header becomes the request's host rather than a
 * header. Keep-alive is off, as in the kubelet's transport.
 */
export function probeHeaders(list: HTTPHeader[] = []): { headers: OutgoingHttpHeaders; host?: string } {
  const headers: OutgoingHttpHeaders = {};
  let host: string | undefined;
  for (const { name, value } of list) {
    const key = name.toLowerCase();
    if (key === 'host') {
      host ??= value;
      continue;
    }
    const prev = headers[key];
    headers[key] = prev === undefined ? value : ([] as string[]).concat(prev as string | string[], value);
  }
  if (!('user-agent' in headers)) headers['user-agent'] = probeUserAgent;
  else if (headers['user-agent'] === '') delete headers['user-agent'];
  if (!('accept' in headers)) headers.accept = '*/*';
  else if (headers.accept === '') delete headers.accept;
  headers.connection = 'close';
  return { headers, host: host || undefined };
}

/** formatURL's path: always absolute, escaped the way a URL escapes it, without a fragment. */
export function requestPath(path = ''): string {
  try {
    const url = new URL(path.startsWith('/') ? path : `/${path}`, 'http://probe');
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}

import type { HTTPHeader } from 'kubernetes-types/core/v1.js';
import { KUBELET_VERSION } from '../node/nodeInfo.js';

/** The kubelet names itself `kube-probe/<major>.<minor>` of its own version (the one /version reports). */
export const probeUserAgent = `kube-probe/${/^v(\d+\.\d+)/.exec(KUBELET_VERSION)![1]}`;

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const badValue = /[\r\n\0]/;

/** The request head after the request line and Host: one `Name: value\r\n` line per header. */
export interface ProbeHeaders {
  lines: string;
  /** A `Host` from httpHeaders: the request's host instead of the URL's. */
  host?: string;
  /** Go's client refuses to send a malformed header; so does the probe (a failure). */
  invalid?: string;
}

/**
 * request.go: the probe's headers from httpHeaders, with User-Agent and `Accept: *\/*` unless the probe
 * sets them (an empty value drops either). Keep-alive is off, as in the kubelet's transport.
 */
export function probeHeaders(list: HTTPHeader[] = []): ProbeHeaders {
  let lines = '';
  let host: string | undefined;
  let userAgent: string | undefined;
  let accept: string | undefined;
  for (const { name, value } of list) {
    if (!token.test(name)) return { lines, invalid: `net/http: invalid header field name ${JSON.stringify(name)}` };
    if (badValue.test(value)) return { lines, invalid: `net/http: invalid header field value for ${JSON.stringify(name)}` };
    const key = name.toLowerCase();
    if (key === 'host') host ??= value;
    else if (key === 'user-agent') userAgent ??= value;
    else if (key === 'accept') accept ??= value;
    else lines += `${name}: ${value}\r\n`;
  }
  userAgent ??= probeUserAgent;
  accept ??= '*/*';
  if (userAgent) lines = `User-Agent: ${userAgent}\r\n${lines}`;
  if (accept) lines += `Accept: ${accept}\r\n`;
  return { lines: `${lines}Connection: close\r\n`, host: host || undefined };
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

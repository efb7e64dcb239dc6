// The request line's target, taken apart without ever throwing past the request: a malformed URL,
// path segment or query string is that request's 400, not an exception in a server callback
// (an uncaught one there would end the agent, and every pod with it).
import { badRequest } from './status.js';

export interface RequestTarget {
  /** Normalised path (dot segments resolved), still percent-encoded. */
  pathname: string;
  query: URLSearchParams;
}

/**
 * The path as sent, up to `?`: what the token check looks at. Plain string work that cannot fail,
 * so it can run before authentication; anything that parses runs after it.
 */
export function rawPath(url: string | undefined): string {
  const s = url ?? '/';
  const q = s.indexOf('?');
  return q < 0 ? s : s.slice(0, q);
}

/** Every `%` must start a valid escape and the escapes must form UTF-8, as Go's url.ParseQuery demands. */
function checkQuery(search: string): void {
  for (const part of search.replace(/^\?/, '').split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw badRequest(`invalid query string: malformed escape in "${part.slice(0, 100)}"`);
    }
  }
}

export function parseRequestTarget(url: string | undefined): RequestTarget {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '/', 'http://tinylet');
  } catch {
    throw badRequest(`invalid request URL: ${JSON.stringify((url ?? '').slice(0, 200))}`);
  }
  checkQuery(parsed.search);
  return { pathname: parsed.pathname, query: parsed.searchParams };
}

/** The path's segments, percent-decoded; `%zz` or an escape that is not UTF-8 is a 400. */
export function decodeSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw badRequest(`invalid path segment: ${JSON.stringify(s.slice(0, 100))}`);
      }
    });
}

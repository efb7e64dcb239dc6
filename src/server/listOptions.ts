// metav1.ListOptions from the query of a list or watch, decoded whole before anything is served, as
// the API server's ListResource does: a bad `timeoutSeconds` or `limit` is a 400 on a plain list
// too, not only on the watch that would use it.
import type { RequestContext } from './context.js';
import { boolParam, int64Param } from './queryParams.js';

export interface ListOptions {
  watch: boolean;
  /** Seconds; undefined when absent. Zero or negative is taken as given (see watch.ts). */
  timeoutSeconds?: number;
  /**
   * Parsed for its 400 only: tinylet always answers with the whole list and no `continue`, which
   * the API allows a server to do (a client must not rely on getting at most `limit` items).
   */
  limit?: number;
  resourceVersion: string;
  /** Accepted; tinylet sends no BOOKMARK events, which a server may leave out. */
  allowWatchBookmarks: boolean;
}

export function listOptions(ctx: RequestContext): ListOptions {
  const q = ctx.query;
  return {
    watch: boolParam(q, 'watch'),
    timeoutSeconds: int64Param(q, 'timeoutSeconds'),
    limit: int64Param(q, 'limit'),
    resourceVersion: q.get('resourceVersion') ?? '',
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
  };
}

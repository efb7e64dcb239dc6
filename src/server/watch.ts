// Watch streams (`?watch=true`): newline-delimited watch events, as the API server sends them.
// Selector watches turn a change that makes an object (stop) match into ADDED (DELETED), as the
// apiserver's cacher does; `as=Table` watches send one-row Tables.
import type { ObjectMeta } from '../api/types.js';
import type { TableKind } from '../api/printers/tables.js';
import type { RequestContext } from './context.js';
import type { ListOptions } from './listOptions.js';
import { asTable, includeObject, wantsTable } from './respond.js';
import { expired } from './status.js';
import type { HubEvent, WatchHub, WatchType } from './watchHub.js';

type Meta = { metadata?: ObjectMeta };

export interface WatchSpec<T extends Meta> {
  hub: WatchHub<T>;
  /** The kind's server-side table, or (`table`) a function making one-row Tables. */
  kind?: TableKind;
  table?: (objects: T[]) => object;
  /** The objects present now (for a watch without resourceVersion: synthetic ADDED events). */
  current(): T[];
  matches(obj: T): boolean;
  /** Adds kind/apiVersion to plain objects (events carry them, stored pods may not). */
  typed(obj: T): T;
}

function filtered<T extends Meta>(ev: HubEvent<T>, matches: (o: T) => boolean): WatchType | undefined {
  const now = matches(ev.object);
  const before = ev.previous !== undefined && matches(ev.previous);
  if (ev.type === 'ADDED') return now ? 'ADDED' : undefined;
  if (ev.type === 'DELETED') return now || before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

/** setTimeout's limit (2^31-1 ms), in whole seconds: a longer watch timeout would fire at once. */
export const MAX_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

/**
 * `opts` were decoded (and a bad one refused) before this is called: after the 200 goes out a bad
 * parameter could only cut the stream.
 */
export function serveWatch<T extends Meta>(ctx: RequestContext, spec: WatchSpec<T>, opts: ListOptions): void {
  const { res, req } = ctx;
  const table = wantsTable(req);
  const rvParam = opts.resourceVersion;
  // 0 (or absent) is no timeout of ours; a negative one has already run out, as the API server's
  // timer for it fires at once: the watch ends after what it has to send now.
  const timeoutSeconds = opts.timeoutSeconds ?? 0;
  const timeout = Math.min(timeoutSeconds, MAX_TIMEOUT_SECONDS);
  if (table) includeObject(ctx);
  const encode = (type: WatchType | 'ERROR', object: unknown): string => {
    let obj = object;
    if (table && type !== 'ERROR') {
      obj = spec.table ? spec.table([spec.typed(object as T)]) : asTable(ctx, spec.kind!, [spec.typed(object as T)]);
    } else if (type !== 'ERROR') {
      obj = spec.typed(object as T);
    }
    return `${JSON.stringify({ type, object: obj })}\n`;
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let initial: { type: WatchType; object: T }[];
  if (rvParam === '' || rvParam === '0') {
    initial = spec.current().filter(spec.matches).map((object) => ({ type: 'ADDED' as const, object }));
  } else {
    const events = spec.hub.since(Number(rvParam));
    if (!events || Number.isNaN(Number(rvParam))) {
      const err = expired(`too old resource version: ${rvParam} (${spec.hub.oldest + 1})`);
      res.end(encode('ERROR', err.toStatus()));
      return;
    }
    initial = events.flatMap((e) => {
      const type = filtered(e, spec.matches);
      return type ? [{ type, object: e.object }] : [];
    });
  }
  for (const e of initial) res.write(encode(e.type, e.object));
  if (timeoutSeconds < 0) {
    res.end();
    return;
  }

  // Called from inside whoever changed the object (a pod worker, another request): a failure
  // here ends this watch, and must never travel back into that caller.
  const onChange = (e: HubEvent<T>) => {
    try {
      const type = filtered(e, spec.matches);
      if (type) res.write(encode(type, e.object));
    } catch (err) {
      console.error(`tinylet: watch ${ctx.req.url}: ${(err as Error)?.message ?? String(err)}`);
      stop();
      res.destroy();
    }
  };
  spec.hub.on('change', onChange);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  const stop = () => {
    spec.hub.off('change', onChange);
    if (timer) clearTimeout(timer);
  };
  res.on('close', stop);
  req.on('close', () => {
    if (!res.writableEnded) res.end();
  });
}

// Events: list and watch (one namespace or all), get one; fieldSelector=involvedObject.name=... etc.
import { eventFieldGetter } from '../../api/selectors/fields.js';
import type { Event } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { asTable, sendJson, wantsTable } from '../respond.js';
import { listOptions } from '../listOptions.js';
import { selectorFromQuery } from '../selectors.js';
import { notFound } from '../status.js';
import { serveWatch } from '../watch.js';
import { typedEvent } from './typed.js';

function eventsIn(ctx: RequestContext, namespace: string | undefined): Event[] {
  return ctx.services.kubelet.events.list().filter((e) => !namespace || e.metadata.namespace === namespace);
}

export function listEvents(ctx: RequestContext, namespace: string | undefined): void {
  const opts = listOptions(ctx);
  const matches = selectorFromQuery(ctx, eventFieldGetter);
  if (opts.watch) {
    serveWatch(ctx, {
      hub: ctx.services.events,
      kind: 'Event',
      current: () => eventsIn(ctx, namespace),
      matches: (e) => (!namespace || e.metadata.namespace === namespace) && matches(e),
      typed: typedEvent,
    }, opts);
    return;
  }
  const rv = ctx.services.kubelet.resourceVersion;
  const items = eventsIn(ctx, namespace).filter(matches).map(typedEvent);
  if (wantsTable(ctx.req)) return sendJson(ctx.res, 200, asTable(ctx, 'Event', items, rv));
  sendJson(ctx.res, 200, { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items });
}

export function getEvent(ctx: RequestContext, namespace: string, name: string): void {
  const ev = eventsIn(ctx, namespace).find((e) => e.metadata.name === name);
  if (!ev) throw notFound('events', name);
  sendJson(ctx.res, 200, wantsTable(ctx.req) ? asTable(ctx, 'Event', [typedEvent(ev)]) : typedEvent(ev));
}

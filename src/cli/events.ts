// `tinylet events [POD]`: the pod's timeline, oldest first, with millisecond times (the same lines
// `tinylet run` prints), optionally followed (-w).
import type { Event } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { resourcePath } from './client/resources.js';
import { formatTimelineEvent } from './timeline.js';

export interface EventsOptions extends ConnectionOptions {
  allNamespaces?: boolean;
  watch?: boolean;
}

function clock(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export async function eventsCommand(pod: string | undefined, opts: EventsOptions): Promise<number> {
  const { client, namespace } = connect(opts);
  const ns = opts.allNamespaces ? undefined : namespace;
  const name = pod?.startsWith('pod/') ? pod.slice(4) : pod;
  // The pod of that name now: events of an earlier pod with the same name are not its timeline.
  let uid: string | undefined;
  if (name) uid = await client.get(resourcePath('pods', namespace, name)).then((p) => p.metadata?.uid as string, () => undefined);
  const query = { fieldSelector: name ? `involvedObject.name=${name}${uid ? `,involvedObject.uid=${uid}` : ''}` : undefined };
  const list = await client.get(resourcePath('events', ns), { query });
  const events = (list.items as Event[]).sort((a, b) => eventTime(a).getTime() - eventTime(b).getTime());
  if (events.length === 0 && !opts.watch) {
    console.error(name ? `No events found for pod ${name} in ${namespace} namespace.` : `No events found in ${ns ?? 'any'} namespace.`);
    return 0;
  }
  let origin = events.length ? eventTime(events[0]!).getTime() : Date.now();
  const print = (e: Event) => {
    const prefix = name ? '' : `${(opts.allNamespaces ? `${e.involvedObject.namespace}/` : '') + e.involvedObject.name}  `;
    console.log(`${clock(eventTime(e))} ${formatTimelineEvent(e, origin)}${prefix ? `  (${prefix.trim()})` : ''}`);
  };
  for (const e of events) print(e);
  if (!opts.watch) return 0;
  for await (const ev of client.watch(resourcePath('events', ns), { query: { ...query, resourceVersion: list.metadata.resourceVersion } })) {
    if (events.length === 0) {
      origin = eventTime(ev.object as Event).getTime();
      events.push(ev.object as Event);
    }
    print(ev.object as Event);
  }
  return 0;
}

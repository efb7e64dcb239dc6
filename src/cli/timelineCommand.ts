// `tinylet timeline POD -o svg|html`: the picture `tinylet run --timeline` writes, for a pod on an
// agent, drawn from what the API serves (the pod and its events), so it needs no access beyond
// `get pods` and `list events`.
import type { Event, Pod } from '../api/types.js';
import { recordFromEvents } from '../timeline/record.js';
import { renderTimeline, type TimelineFormat } from '../timeline/writeTimeline.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { resourcePath } from './client/resources.js';

export interface TimelineOptions extends ConnectionOptions {
  output?: string;
}

/**
 * The API keeps a repeated event once (count, series.lastObservedTime): its first and its latest
 * occurrence become two entries, so a probe failing for a minute spans that minute. The ones in
 * between are not kept by the API and are not drawn.
 */
export function occurrencesOf(events: Event[]): Event[] {
  const out: Event[] = [];
  for (const e of events) {
    if (e.series?.lastObservedTime && e.eventTime && e.eventTime !== e.series.lastObservedTime) {
      const { series: _series, ...first } = e;
      out.push(first as Event);
    }
    out.push(e);
  }
  return out;
}

export async function timelineCommand(pod: string, opts: TimelineOptions): Promise<number> {
  const format = (opts.output ?? 'html') as TimelineFormat;
  if (format !== 'svg' && format !== 'html') throw new Error(`-o ${opts.output}: unsupported output format (svg or html)`);
  const { client, namespace } = connect(opts);
  const name = pod.startsWith('pod/') ? pod.slice(4) : pod;
  // A pod already gone still has its events for a while: draw those, lanes from the events alone.
  const found = (await client.get(resourcePath('pods', namespace, name)).catch(() => undefined)) as Pod | undefined;
  const uid = found?.metadata?.uid;
  const query = { fieldSelector: `involvedObject.name=${name}${uid ? `,involvedObject.uid=${uid}` : ''}` };
  const list = await client.get(resourcePath('events', namespace), { query });
  const events = (list.items as Event[]).filter((e) => e.involvedObject.kind === 'Pod');
  if (!found && events.length === 0) throw new Error(`pods "${name}" not found in namespace ${namespace}, and no events of it`);
  const subject: Pod = found ?? { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } };
  const record = recordFromEvents(subject, occurrencesOf(events), found ? Date.now() : undefined);
  process.stdout.write(renderTimeline(record, format));
  return 0;
}

// `tinylet timeline POD -o svg|html`: the picture `tinylet run --timeline` writes, for a pod on an
// agent. Drawn from the agent's own record of the pod (GET /tinylet/v1/namespaces/{ns}/pods/{name}/
// timeline: probe ticks, hooks, endpoints, every event occurrence) when it serves one; for an older
// agent or a pod already gone, from what the API serves (the pod and its events), which needs no
// access beyond `get pods` and `list events`.
import type { Event, Pod } from '../api/types.js';
import { recordFromEvents, type TimelineRecord } from '../timeline/record.js';
import { renderTimeline, type TimelineFormat } from '../timeline/writeTimeline.js';
import { ApiStatusError } from './client/apiClient.js';
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

/** Only what the renderer reads, checked: the endpoint's answer is input like any other. */
export function isTimelineRecord(x: unknown): x is TimelineRecord {
  const r = x as TimelineRecord | undefined;
  return (
    typeof r === 'object' && r !== null && typeof r.pod?.name === 'string' && typeof r.origin === 'number' && Number.isFinite(r.origin) &&
    typeof r.end === 'number' && Array.isArray(r.containers) && r.containers.every((c) => typeof c === 'string') &&
    Array.isArray(r.entries) && r.entries.every((e) => typeof e?.t === 'number' && typeof e.reason === 'string' && typeof e.message === 'string')
  );
}

/** The agent's record of the pod, or undefined when it serves none (an older agent: 404; the pod gone: 404). */
async function agentRecord(client: ReturnType<typeof connect>['client'], namespace: string, name: string): Promise<TimelineRecord | undefined> {
  const path = `/tinylet/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/timeline`;
  const record: unknown = await client.get(path).catch((err: unknown) => {
    if (err instanceof ApiStatusError && err.status.code === 404) return undefined;
    throw err;
  });
  if (record === undefined) return undefined;
  if (!isTimelineRecord(record)) throw new Error(`the agent's timeline of pod ${name} is not a timeline record`);
  return record;
}

export async function timelineCommand(pod: string, opts: TimelineOptions): Promise<number> {
  const format = (opts.output ?? 'html') as TimelineFormat;
  if (format !== 'svg' && format !== 'html') throw new Error(`-o ${opts.output}: unsupported output format (svg or html)`);
  const { client, namespace } = connect(opts);
  const name = pod.startsWith('pod/') ? pod.slice(4) : pod;
  const served = await agentRecord(client, namespace, name);
  if (served) {
    process.stdout.write(renderTimeline(served, format));
    return 0;
  }
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

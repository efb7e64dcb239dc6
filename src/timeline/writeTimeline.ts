import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Event, Pod } from '../api/types.js';
import type { ReadyChange } from './readiness.js';
import { recordFromEvents, type TimelineRecord } from './record.js';
import { renderHtml } from './renderHtml.js';
import { renderSvg } from './renderSvg.js';

export type TimelineFormat = 'svg' | 'html';

/** The format a file name asks for: .svg or .html/.htm; anything else is a usage error naming the option. */
export function timelineFormatOf(file: string, option = '--timeline'): TimelineFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new Error(`${option} ${file}: the file name must end in .svg or .html (the format comes from it)`);
}

export function renderTimeline(record: TimelineRecord, format: TimelineFormat): string {
  return format === 'svg' ? renderSvg(record) : renderHtml(record);
}

/**
 * Writes the timeline of a run's pods (what `tinylet run --timeline` and `tinylet verify --timeline`
 * have: the kubelet's in-process record of each pod, or else the final pods and every event
 * occurrence). Several pods: one SVG per pod stacked in one page for .html; for .svg only one pod
 * fits, so it refuses more.
 */
export function writeRunTimeline(file: string, run: { pods: Pod[]; events: Event[]; readiness?: ReadyChange[]; timelines?: (TimelineRecord | undefined)[] }, endedAt = Date.now()): void {
  const format = timelineFormatOf(file);
  const records = run.pods.map((p, i) => run.timelines?.[i] ?? recordFromEvents(p, run.events, endedAt, run.readiness));
  if (format === 'svg' && records.length !== 1) throw new Error(`--timeline ${file}: an SVG holds one pod's timeline and the run had ${records.length}; use .html`);
  const text = records.length === 1 ? renderTimeline(records[0], format) : joinHtml(records);
  writeFileSync(file, text);
}

function joinHtml(records: TimelineRecord[]): string {
  const pages = records.map((r) => renderHtml(r));
  const bodies = pages.map((p) => p.slice(p.indexOf('<body>') + 6, p.indexOf('</body>')));
  const head = pages[0].slice(0, pages[0].indexOf('<body>') + 6);
  return `${head}${bodies.join('<hr>')}</body>\n</html>\n`;
}

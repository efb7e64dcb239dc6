import type { TimelineRecord } from './record.js';
import { escapeXml } from '../xml/escapeXml.js';
import { formatMs, renderSvg } from './renderSvg.js';

/**
 * A one-file HTML page for a CI artifact: the SVG inline, then every event as a table row. No
 * script, no external stylesheet, font or image, so it opens anywhere offline.
 */
export function renderHtml(record: TimelineRecord): string {
  const title = `Timeline of pod ${record.pod.namespace}/${record.pod.name}`;
  const source =
    record.source === 'kubelet'
      ? `From the kubelet's own record: every event occurrence, probe ticks (every change of result, and a sample of the ticks in between), hook starts and ends, and the pod's endpoint in each Service's EndpointSlices${record.dropped ? `; the ${record.dropped} oldest entries did not fit in the record and are not shown` : ''}.`
      : 'From the pod\'s events (the API keeps a repeated event once: its first and latest occurrence are drawn; probe successes, hook durations and endpoints are not in events).';
  const rows = record.entries
    .map(
      (e) =>
        `<tr class="${e.type === 'Warning' ? 'warning' : 'normal'}"><td class="t">${formatMs(e.t)}</td><td>${escapeXml(e.container ?? 'pod')}</td><td>${escapeXml(e.type)}</td><td>${escapeXml(e.reason)}</td><td>${escapeXml(e.message)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #212121; background: #fff; }
h1 { font-size: 18px; }
figure { margin: 0 0 16px 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
td.t { font-family: monospace; text-align: right; white-space: nowrap; }
tr.warning td { color: #c62828; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p>Times are milliseconds since the pod's first event (${escapeXml(new Date(record.origin).toISOString())}). ${escapeXml(source)}</p>
<figure class="timeline">
${renderSvg(record)}
</figure>
<table class="events">
<thead><tr><th>time</th><th>container</th><th>type</th><th>reason</th><th>message</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}

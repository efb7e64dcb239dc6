import { axisEnd, endpointBandsOf, lanesOf, type BandState, type EndpointBand, type Interval, type Lane, type Mark, type ProbeRow } from './lanes.js';
import type { TimelineRecord } from './record.js';
import { escapeXml } from '../xml/escapeXml.js';


const WIDTH = 1100;
const LABEL_W = 150;
const RIGHT_PAD = 40;
const TOP = 48;
const LANE_H = 72;
/** Label rows under a lane's bar, and the width a label character takes (10px sans-serif, generous). */
const LABEL_ROWS = 3;
const CHAR_W = 6;
const BAR_H = 16;
/** A probe row under a lane's labels, and an endpoint band's height. */
const PROBE_ROW_H = 14;
const BAND_H = 36;

export const COLORS = {
  running: '#43a047',
  postStart: '#7e57c2',
  preStop: '#fb8c00',
  ready: '#00acc1',
  backoff: '#b0bec5',
  signal: '#1e88e5',
  exit: '#212121',
  sigkill: '#e53935',
  probe: '#d81b60',
  hookFailed: '#e53935',
  deadline: '#6d4c41',
  delete: '#8e24aa',
  probeOk: '#2e7d32',
  probeFailed: '#d50000',
  epReady: '#26a69a',
  epServing: '#ffb300',
  epTerminating: '#90a4ae',
  epNotReady: '#ef9a9a',
  epRemoved: '#212121',
} as const;

const BAND_COLORS: Record<BandState, string> = { ready: COLORS.epReady, terminatingServing: COLORS.epServing, terminating: COLORS.epTerminating, notReady: COLORS.epNotReady };
const BAND_TEXT: Record<BandState, string> = { ready: 'ready', terminatingServing: 'terminating, still serving', terminating: 'terminating, not serving', notReady: 'not ready' };

/** A round axis step giving about 8 ticks: 1, 2 or 5 times a power of ten, in milliseconds. */
export function tickStep(span: number): number {
  const raw = Math.max(span / 8, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** `+1.250s`: the event table's clock, always to the millisecond. */
export function formatMs(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${(Math.abs(Math.round(ms)) / 1000).toFixed(3)}s`;
}

/** `+1.250s` / `+250ms`: the axis and label clock, fixed decimals so output is deterministic. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(Math.round(ms));
  return a < 1000 ? `${sign}${a}ms` : `${sign}${(a / 1000).toFixed(a % 1000 === 0 ? 0 : 3)}s`;
}

const fx = (n: number): string => (Math.round(n * 10) / 10).toString();

function intervalSvg(iv: Interval, x: (t: number) => number, y: number): string {
  const x0 = x(iv.from);
  const w = Math.max(x(iv.to) - x0, 2);
  const duration = formatOffset(iv.to - iv.from).slice(1);
  const title = `${iv.kind}${iv.failed ? ' (failed)' : ''} ${formatOffset(iv.from)} → ${iv.open ? 'end' : formatOffset(iv.to)} (${duration})`;
  // Ready is a thin band under the running bar; hooks and back-off sit inside the bar's height.
  const h = iv.kind === 'running' ? BAR_H : iv.kind === 'ready' ? 4 : BAR_H - 6;
  const yy = iv.kind === 'running' ? y : iv.kind === 'ready' ? y + BAR_H + 1 : y + 3;
  const fill = iv.kind === 'backoff' ? 'url(#hatch)' : COLORS[iv.kind];
  const stroke = iv.failed ? ` stroke="${COLORS.hookFailed}" stroke-width="2" stroke-dasharray="3 2"` : '';
  const rect = `<rect class="iv ${iv.kind}${iv.failed ? ' failed' : ''}" x="${fx(x0)}" y="${fx(yy)}" width="${fx(w)}" height="${h}" rx="3" fill="${fill}"${iv.open ? ' fill-opacity="0.6"' : ''}${stroke}><title>${escapeXml(title)}</title></rect>`;
  if (iv.kind !== 'postStart' && iv.kind !== 'preStop') return rect;
  // A hook's duration is what one asks of it: written above its bar.
  return `${rect}<text class="hook-duration" x="${fx(x0)}" y="${fx(y - 3)}" font-size="9" fill="${COLORS[iv.kind]}">${escapeXml(`${iv.kind} ${iv.open ? '…' : duration}`)}</text>`;
}

/** A probe's sampled ticks: short strokes, green for success, red for failure. */
function probeRowSvg(row: ProbeRow, x: (t: number) => number, y: number): string {
  const parts = [`<g class="probe-row" data-probe="${row.kind}"><text x="24" y="${y + 9}" font-size="9" fill="#546e7a">${row.kind} probe</text>`];
  for (const tk of row.ticks) {
    const c = tk.ok ? COLORS.probeOk : COLORS.probeFailed;
    const title = `${row.kind} ${tk.ok ? 'success' : 'failure'} at ${formatOffset(tk.t)} (${tk.durationMs} ms${tk.run > 1 ? `, tick ${tk.run} of a run of equal results` : ''})`;
    parts.push(`<line class="tick ${tk.ok ? 'ok' : 'failed'}" x1="${fx(x(tk.t))}" y1="${y + 1}" x2="${fx(x(tk.t))}" y2="${y + 11}" stroke="${c}" stroke-width="${tk.ok ? 2 : 3}"><title>${escapeXml(title)}</title></line>`);
  }
  parts.push('</g>');
  return parts.join('');
}

function bandSvg(band: EndpointBand, top: number, index: number, x: (t: number) => number): string {
  const y = top + 10;
  const parts = [
    `<g class="endpoint-band" data-service="${escapeXml(band.service)}">`,
    `<rect x="0" y="${top}" width="${WIDTH}" height="${BAND_H}" fill="${index % 2 ? '#fffde7' : '#fff8e1'}"/>`,
    `<text x="12" y="${y + 9}" font-size="11">${escapeXml(`endpoint in ${band.service}`)}</text>`,
  ];
  for (const s of band.segments) {
    const x0 = x(s.from);
    const title = `endpoint ${BAND_TEXT[s.state]} in service ${band.service} ${formatOffset(s.from)} → ${s.open ? 'end' : formatOffset(s.to)}`;
    parts.push(`<rect class="ep ${s.state}" x="${fx(x0)}" y="${y}" width="${fx(Math.max(x(s.to) - x0, 2))}" height="10" fill="${BAND_COLORS[s.state]}"${s.open ? ' fill-opacity="0.6"' : ''}><title>${escapeXml(title)}</title></rect>`);
  }
  for (const t of band.removals) {
    parts.push(`<g class="mark ep-removed"><line x1="${fx(x(t))}" y1="${y - 4}" x2="${fx(x(t))}" y2="${y + 14}" stroke="${COLORS.epRemoved}" stroke-width="2"/><text x="${fx(x(t) + 3)}" y="${y + 23}" font-size="10" fill="#37474f">removed ${formatOffset(t)}</text><title>${escapeXml(`removed from service ${band.service}'s EndpointSlices at ${formatOffset(t)}`)}</title></g>`);
  }
  parts.push('</g>');
  return parts.join('');
}

const laneHeight = (lane: Lane) => LANE_H + lane.probes.length * PROBE_ROW_H;

function markShape(m: Mark, cx: number, cy: number): string {
  const c = COLORS[m.kind];
  switch (m.kind) {
    case 'signal':
      return `<path d="M${fx(cx)} ${fx(cy - 2)} l-6 -10 h12 z" fill="${c}"/>`;
    case 'exit':
      return `<circle cx="${fx(cx)}" cy="${fx(cy + BAR_H / 2)}" r="5" fill="#fff" stroke="${c}" stroke-width="2.5"/>`;
    case 'sigkill':
      return `<path d="M${fx(cx - 6)} ${fx(cy + 2)} l12 12 M${fx(cx + 6)} ${fx(cy + 2)} l-12 12" stroke="${c}" stroke-width="3"/>`;
    case 'probe':
      return `<line x1="${fx(cx)}" y1="${fx(cy - 4)}" x2="${fx(cx)}" y2="${fx(cy + BAR_H + 4)}" stroke="${c}" stroke-width="2"/>`;
    case 'hookFailed':
      return `<rect x="${fx(cx - 5)}" y="${fx(cy + 3)}" width="10" height="10" fill="${c}" transform="rotate(45 ${fx(cx)} ${fx(cy + 8)})"/>`;
    case 'deadline':
    case 'delete':
      return `<line x1="${fx(cx)}" y1="${fx(cy - 12)}" x2="${fx(cx)}" y2="${fx(cy + BAR_H + 6)}" stroke="${c}" stroke-width="2"${m.kind === 'deadline' ? ' stroke-dasharray="4 3"' : ''}/>`;
  }
}

function laneSvg(lane: Lane, index: number, top: number, x: (t: number) => number): string {
  const y = top + 14;
  const parts = [
    `<g class="lane" data-lane="${escapeXml(lane.name)}">`,
    `<rect x="0" y="${top}" width="${WIDTH}" height="${laneHeight(lane)}" fill="${index % 2 ? '#fafafa' : '#f1f3f4'}"/>`,
    `<text class="lane-name" x="12" y="${y + 12}" font-weight="${lane.name === 'pod' ? 'bold' : 'normal'}">${escapeXml(lane.name)}</text>`,
    `<line x1="${LABEL_W}" y1="${y + BAR_H / 2}" x2="${WIDTH - RIGHT_PAD}" y2="${y + BAR_H / 2}" stroke="#cfd8dc"/>`,
  ];
  for (const iv of lane.intervals) parts.push(intervalSvg(iv, x, y));
  lane.probes.forEach((row, i) => parts.push(probeRowSvg(row, x, top + LANE_H + i * PROBE_ROW_H - 2)));
  // Each label goes in the first row where it does not run into the previous one, so close marks
  // (signal, SIGKILL, exit) stay readable; when all rows are taken, the least-filled one.
  const rowEnds = Array<number>(LABEL_ROWS).fill(-Infinity);
  const order = lane.marks.map((m, i) => ({ m, i })).sort((a, b) => a.m.t - b.m.t || a.i - b.i);
  for (const { m } of order) {
    const cx = x(m.t);
    let row = rowEnds.findIndex((endX) => endX < cx);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = cx + 3 + m.label.length * CHAR_W + 4;
    // A label that would run off the picture's right edge ends at its mark instead.
    const atEdge = cx + 3 + m.label.length * CHAR_W > WIDTH - 4;
    const anchor = atEdge ? ` text-anchor="end"` : '';
    parts.push(
      `<g class="mark ${m.kind}">${markShape(m, cx, y)}<text x="${fx(atEdge ? cx - 3 : cx + 3)}" y="${y + BAR_H + 16 + row * 12}" font-size="10"${anchor} fill="${m.warning ? '#c62828' : '#37474f'}">${escapeXml(m.label)}</text><title>${escapeXml(`${m.label} at ${formatOffset(m.t)}`)}</title></g>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

const LEGEND: [keyof typeof COLORS, string][] = [
  ['running', 'running'],
  ['postStart', 'postStart hook'],
  ['preStop', 'preStop hook'],
  ['ready', 'ready'],
  ['backoff', 'restart back-off'],
  ['signal', 'stop signal'],
  ['exit', 'exit'],
  ['sigkill', 'SIGKILL'],
  ['probe', 'probe failure (event)'],
  ['hookFailed', 'hook failed'],
  ['delete', 'delete requested'],
  ['deadline', 'deadline'],
  ['probeOk', 'probe success'],
  ['probeFailed', 'probe failure (tick)'],
  ['epReady', 'endpoint ready'],
  ['epServing', 'endpoint terminating (serving)'],
  ['epTerminating', 'endpoint not serving'],
  ['epNotReady', 'endpoint not ready'],
  ['epRemoved', 'endpoint removed'],
];
const LEGEND_PER_ROW = 5;
const LEGEND_H = Math.ceil(LEGEND.length / LEGEND_PER_ROW) * 18;

function legendSvg(y: number): string {
  const parts = [`<g class="legend" transform="translate(${LABEL_W} ${y})">`];
  LEGEND.forEach(([kind, text], i) => {
    const lx = (i % LEGEND_PER_ROW) * 180;
    const ly = Math.floor(i / LEGEND_PER_ROW) * 18;
    const fill = kind === 'backoff' ? 'url(#hatch)' : COLORS[kind];
    parts.push(`<rect x="${lx}" y="${ly}" width="14" height="10" rx="2" fill="${fill}"/><text x="${lx + 20}" y="${ly + 9}" font-size="11">${escapeXml(text)}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}

/**
 * The record as a self-contained SVG (no scripts, fonts or links): lanes for the pod and each
 * container (with its probe ticks), then a band per Service the pod was an endpoint of, against a
 * millisecond axis from the pod's first entry. Same record, same bytes.
 */
export function renderSvg(record: TimelineRecord): string {
  const lanes = lanesOf(record);
  const bands = endpointBandsOf(record);
  const end = axisEnd(record, lanes);
  const step = tickStep(end);
  const axisEndAt = Math.ceil(end / step) * step;
  const plotW = WIDTH - LABEL_W - RIGHT_PAD;
  const x = (t: number) => LABEL_W + (Math.max(0, t) / axisEndAt) * plotW;
  const tops: number[] = [];
  let bottom = TOP;
  for (const l of lanes) {
    tops.push(bottom);
    bottom += laneHeight(l);
  }
  const bandsTop = bottom;
  const lanesBottom = bandsTop + bands.length * BAND_H;
  const height = lanesBottom + 20 + LEGEND_H + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tinylet-timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`Timeline of pod ${record.pod.namespace}/${record.pod.name}`)}</title>`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff1"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.backoff}" stroke-width="3"/></pattern></defs>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml(`pod ${record.pod.namespace}/${record.pod.name}`)}</text>`,
    `<text x="${WIDTH - RIGHT_PAD}" y="20" text-anchor="end" fill="#607d8b">ms since the pod's first event</text>`,
  ];
  lanes.forEach((l, i) => out.push(laneSvg(l, i, tops[i]!, x)));
  bands.forEach((b, i) => out.push(bandSvg(b, bandsTop + i * BAND_H, i, x)));
  // The delete and the pod's grace deadline concern every container: a faint line across all lanes.
  for (const m of lanes[0].marks) {
    out.push(`<line class="across ${m.kind}" x1="${fx(x(m.t))}" y1="${TOP}" x2="${fx(x(m.t))}" y2="${lanesBottom}" stroke="${COLORS[m.kind]}" stroke-opacity="0.45"${m.kind === 'deadline' ? ' stroke-dasharray="4 3"' : ''}/>`);
  }
  const axis = ['<g class="axis">'];
  for (let t = 0; t <= axisEndAt; t += step) {
    axis.push(`<line x1="${fx(x(t))}" y1="${TOP - 6}" x2="${fx(x(t))}" y2="${lanesBottom}" stroke="#90a4ae" stroke-opacity="0.35"/><text x="${fx(x(t))}" y="${TOP - 10}" text-anchor="middle" font-size="10" fill="#455a64">${formatOffset(t)}</text>`);
  }
  axis.push('</g>');
  out.push(axis.join(''));
  out.push(legendSvg(lanesBottom + 14));
  out.push('</svg>');
  return out.join('\n');
}

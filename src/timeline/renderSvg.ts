import { axisEnd, lanesOf, type Interval, type Lane, type Mark } from './lanes.js';
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

export const COLORS = {
  running: '#43a047',
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
} as const;

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
  const title = `${iv.kind} ${formatOffset(iv.from)} → ${iv.open ? 'end' : formatOffset(iv.to)} (${formatOffset(iv.to - iv.from).slice(1)})`;
  // Ready is a thin band under the running bar; hooks and back-off sit inside the bar's height.
  const h = iv.kind === 'running' ? BAR_H : iv.kind === 'ready' ? 4 : BAR_H - 6;
  const yy = iv.kind === 'running' ? y : iv.kind === 'ready' ? y + BAR_H + 1 : y + 3;
  const fill = iv.kind === 'backoff' ? 'url(#hatch)' : COLORS[iv.kind];
  return `<rect class="iv ${iv.kind}" x="${fx(x0)}" y="${fx(yy)}" width="${fx(w)}" height="${h}" rx="3" fill="${fill}"${iv.open ? ' fill-opacity="0.6"' : ''}><title>${escapeXml(title)}</title></rect>`;
}

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

function laneSvg(lane: Lane, index: number, x: (t: number) => number): string {
  const top = TOP + index * LANE_H;
  const y = top + 14;
  const parts = [
    `<g class="lane" data-lane="${escapeXml(lane.name)}">`,
    `<rect x="0" y="${top}" width="${WIDTH}" height="${LANE_H}" fill="${index % 2 ? '#fafafa' : '#f1f3f4'}"/>`,
    `<text class="lane-name" x="12" y="${y + 12}" font-weight="${lane.name === 'pod' ? 'bold' : 'normal'}">${escapeXml(lane.name)}</text>`,
    `<line x1="${LABEL_W}" y1="${y + BAR_H / 2}" x2="${WIDTH - RIGHT_PAD}" y2="${y + BAR_H / 2}" stroke="#cfd8dc"/>`,
  ];
  for (const iv of lane.intervals) parts.push(intervalSvg(iv, x, y));
  // Each label goes in the first row where it does not run into the previous one, so close marks
  // (signal, SIGKILL, exit) stay readable; when all rows are taken, the least-filled one.
  const rowEnds = Array<number>(LABEL_ROWS).fill(-Infinity);
  const order = lane.marks.map((m, i) => ({ m, i })).sort((a, b) => a.m.t - b.m.t || a.i - b.i);
  for (const { m } of order) {
    const cx = x(m.t);
    let row = rowEnds.findIndex((endX) => endX < cx);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = cx + 3 + m.label.length * CHAR_W + 4;
    parts.push(
      `<g class="mark ${m.kind}">${markShape(m, cx, y)}<text x="${fx(cx + 3)}" y="${y + BAR_H + 16 + row * 12}" font-size="10" fill="${m.warning ? '#c62828' : '#37474f'}">${escapeXml(m.label)}</text><title>${escapeXml(`${m.label} at ${formatOffset(m.t)}`)}</title></g>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

const LEGEND: [keyof typeof COLORS | 'backoff', string][] = [
  ['running', 'running'],
  ['preStop', 'preStop hook'],
  ['ready', 'ready'],
  ['backoff', 'restart back-off'],
  ['signal', 'stop signal'],
  ['exit', 'exit'],
  ['sigkill', 'SIGKILL'],
  ['probe', 'probe failure'],
  ['hookFailed', 'hook failed'],
  ['delete', 'delete requested'],
  ['deadline', 'deadline'],
];

function legendSvg(y: number): string {
  const parts = [`<g class="legend" transform="translate(${LABEL_W} ${y})">`];
  LEGEND.forEach(([kind, text], i) => {
    const lx = (i % 6) * 145;
    const ly = Math.floor(i / 6) * 18;
    const fill = kind === 'backoff' ? 'url(#hatch)' : COLORS[kind];
    parts.push(`<rect x="${lx}" y="${ly}" width="14" height="10" rx="2" fill="${fill}"/><text x="${lx + 20}" y="${ly + 9}" font-size="11">${escapeXml(text)}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}

/**
 * The record as a self-contained SVG (no scripts, fonts or links): lanes for the pod and each
 * container against a millisecond axis from the pod's first event. Same record, same bytes.
 */
export function renderSvg(record: TimelineRecord): string {
  const lanes = lanesOf(record);
  const end = axisEnd(record, lanes);
  const step = tickStep(end);
  const axisEndAt = Math.ceil(end / step) * step;
  const plotW = WIDTH - LABEL_W - RIGHT_PAD;
  const x = (t: number) => LABEL_W + (Math.max(0, t) / axisEndAt) * plotW;
  const lanesBottom = TOP + lanes.length * LANE_H;
  const height = lanesBottom + 56;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tinylet-timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`Timeline of pod ${record.pod.namespace}/${record.pod.name}`)}</title>`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff1"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.backoff}" stroke-width="3"/></pattern></defs>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml(`pod ${record.pod.namespace}/${record.pod.name}`)}</text>`,
    `<text x="${WIDTH - RIGHT_PAD}" y="20" text-anchor="end" fill="#607d8b">ms since the pod's first event</text>`,
  ];
  lanes.forEach((l, i) => out.push(laneSvg(l, i, x)));
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
  out.push(legendSvg(lanesBottom + 16));
  out.push('</svg>');
  return out.join('\n');
}

/** The tinylet/podman table the bench prints: each row a measurement, the ratio tinylet/podman. */
export interface Row {
  what: string;
  tinylet: number | undefined;
  podman: number | undefined;
  unit: string;
  note?: string;
}

export function ratio(t: number | undefined, p: number | undefined): number | null {
  if (t === undefined || p === undefined || p === 0) return null;
  return Math.round((t / p) * 100) / 100;
}

export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.what, fmt(r.tinylet, r.unit), fmt(r.podman, r.unit), ratio(r.tinylet, r.podman)?.toFixed(2) ?? '-', r.note ?? '']);
  const head = ['measurement', 'tinylet', 'podman', 'tinylet/podman', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

function fmt(x: number | undefined, unit: string): string {
  return x === undefined ? '-' : `${x} ${unit}`;
}

// Renders a server-side Table the way kubectl's table printer does (cli-runtime
// printers/tableprinter.go): upper-cased headers, priority-1 columns only with -o wide, an extra
// NAMESPACE column first with -A, LABELS last with --show-labels, everything aligned by a tabwriter
// with kubectl's settings. Also `-o name`.
import { formatLabels } from '../selectors/labels.js';
import type { Table, TableCell, TableColumnDefinition } from './tables.js';
import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export interface TextTableOptions {
  /** -o wide: include priority > 0 columns. */
  wide?: boolean;
  /** --no-headers. */
  noHeaders?: boolean;
  /** -A / --all-namespaces: leading NAMESPACE column, read from each row's object metadata. */
  withNamespace?: boolean;
  /** --show-labels: trailing LABELS column. */
  showLabels?: boolean;
  /** Prefix the name column with "<kind>/" (kubectl does so when several kinds are listed), e.g. "pod". */
  withKind?: string;
}

interface RowMeta {
  namespace?: string;
  labels?: Record<string, string>;
}

function rowMeta(object: unknown): RowMeta | undefined {
  if (!object || typeof object !== 'object') return undefined;
  return (object as { metadata?: RowMeta }).metadata;
}

/** kubectl prints a string cell up to its first line break (then "..."), other values via Sprint. */
function cellText(cell: TableCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'string') return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  const brk = cell.search(/[\f\n\r]/);
  const text = brk >= 0 ? `${cell.slice(0, brk)}...` : cell;
  // printers.WriteEscaped: neutralise terminal escape sequences.
  return text.replace(/\x1b/g, '^[');
}

/** kubectl get's human-readable output for a Table; "" when there are no rows (kubectl prints no header then). */
export function printTable(table: Table, opts: TextTableOptions = {}): string {
  if (table.rows.length === 0) return '';
  const shown = (c: TableColumnDefinition) => opts.wide || c.priority === 0;
  const nameIndex = table.columnDefinitions.findIndex((c) => c.format === 'name' && c.type === 'string');

  const lines: string[][] = [];
  if (!opts.noHeaders) {
    const headers = table.columnDefinitions.filter(shown).map((c) => c.name.toUpperCase());
    if (opts.withNamespace) headers.unshift('NAMESPACE');
    if (opts.showLabels) headers.push('LABELS');
    lines.push(headers);
  }
  for (const row of table.rows) {
    const meta = rowMeta(row.object);
    const cells: string[] = [];
    if (opts.withNamespace) cells.push(meta?.namespace ?? '');
    table.columnDefinitions.forEach((col, i) => {
      if (!shown(col)) return;
      let text = cellText(row.cells[i]);
      if (opts.withKind && i === nameIndex) text = `${opts.withKind.toLowerCase()}/${text}`;
      cells.push(text);
    });
    if (opts.showLabels) cells.push(meta ? formatLabels(meta.labels) : '');
    lines.push(cells);
  }
  return tabwrite(lines.map((l) => `${l.join('\t')}\n`).join(''), GET_TABWRITER);
}

/**
 * `kubectl get -o name`: "<kind>/<name>" for the core group, "<kind>.<group>/<name>" otherwise
 * (pod/web, event/web.17a..., deployment.apps/web).
 */
export function printName(obj: { kind?: string; apiVersion?: string; metadata?: { name?: string } }, kind?: string): string {
  const k = (obj.kind ?? kind ?? '').toLowerCase();
  const apiVersion = obj.apiVersion ?? 'v1';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${group ? `${k}.${group}` : k}/${obj.metadata?.name ?? ''}`;
}

// A port of the behaviour of Go's text/tabwriter (left-aligned, space padding), which both
// `kubectl get` (minwidth 6, padding 3) and `kubectl describe` (minwidth 0, padding 2) write through.
// Reproducing its column-block rule matters: a column's width is computed only over a run of
// consecutive lines that all have a tab-terminated cell in that column, so a line without tabs
// ("IPs:", "Containers:") starts a fresh alignment, and the text after the last tab of a line is
// never padded. Cell widths count code points, as Go counts runes.

export interface TabwriterOptions {
  /** Minimal cell width including padding. */
  minwidth: number;
  /** Added to the widest cell of a column. */
  padding: number;
}

/** kubectl get's table printer (cli-runtime printers.GetNewTabWriter). */
export const GET_TABWRITER: TabwriterOptions = { minwidth: 6, padding: 3 };
/** kubectl describe's tabbedString. */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minwidth: 0, padding: 2 };

const runeCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * Formats text whose cells are separated by '\t' and lines by '\n', like a Go tabwriter that is
 * written `text` and then flushed once.
 */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const out: string[] = new Array(lines.length).fill('');
  const widths: number[] = [];

  // Writes lines [from, to) with the column widths known so far; lines reaching this point have
  // exactly widths.length tab-terminated cells, so their last cell gets no padding.
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < widths.length) s += ' '.repeat(Math.max(0, widths[j]! - runeCount(cell)));
      });
      out[i] = s;
    }
  };

  // Go's recursive format(): find blocks of lines having a cell in `column`, size the column over
  // the block, then recurse for the next column within the block.
  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      writeLines(start, i);
      const blockStart = i;
      let width = opts.minwidth;
      for (; i < line1 && column < lines[i]!.length - 1; i++) {
        width = Math.max(width, runeCount(lines[i]![column]!) + opts.padding);
      }
      widths.push(width);
      format(blockStart, i);
      widths.pop();
      start = i;
      i--; // the for-loop increment would otherwise skip the line that ended the block
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

/**
 * A buffered writer with Flush semantics: text written before a flush is aligned independently
 * of text written after it (describe's DescribeEvents flushes before printing its table).
 */
export class TabWriter {
  private done = '';
  private pending = '';
  constructor(private readonly opts: TabwriterOptions) {}

  write(s: string): this {
    this.pending += s;
    return this;
  }

  flush(): this {
    if (this.pending === '') return this;
    // Only complete lines are formatted; Go keeps a partial last line as a cell in progress, but
    // every describe writer ends its lines before flushing, so the distinction never shows.
    this.done += tabwrite(this.pending, this.opts);
    this.pending = '';
    return this;
  }

  toString(): string {
    this.flush();
    return this.done;
  }
}

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { parseLogLine, type LogLine } from './criFormat.js';

/** Reads a CRI log file incrementally: each read() returns the complete lines added since the last one. */
export class CriLogFollower {
  private offset = 0;
  private rest = '';
  private partial?: LogLine;

  constructor(private readonly path: string) {}

  read(): LogLine[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const text = this.rest + buf.toString('utf8');
    const cut = text.lastIndexOf('\n');
    this.rest = text.slice(cut + 1);
    const out: LogLine[] = [];
    for (const raw of text.slice(0, cut + 1).split('\n')) {
      const line = parseLogLine(raw);
      if (!line) continue;
      if (this.partial && this.partial.stream === line.stream) {
        line.content = this.partial.content + line.content;
        line.time = this.partial.time;
        line.timestamp = this.partial.timestamp;
      }
      this.partial = line.partial ? line : undefined;
      if (!line.partial) out.push(line);
    }
    return out;
  }
}

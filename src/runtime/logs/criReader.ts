import { readFileSync, existsSync } from 'node:fs';
import { parseLogLine, type LogLine } from './criFormat.js';

/** Reads a CRI log file back into lines, joining partial records. */
export function readCriLog(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  const lines: LogLine[] = [];
  let partial: LogLine | undefined;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    const line = parseLogLine(text);
    if (!line) continue;
    if (partial && partial.stream === line.stream) {
      line.content = partial.content + line.content;
      line.time = partial.time;
      line.timestamp = partial.timestamp;
    }
    partial = line.partial ? line : undefined;
    if (!line.partial) lines.push(line);
  }
  return lines;
}

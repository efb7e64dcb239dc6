import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { formatLogLine, type LogLine } from './criFormat.js';

/** Lines longer than this are split into partial (P) records, as container runtimes do. */
const MAX_LINE = 16 * 1024;

/**
 * Copies a container's stdout and stderr into one CRI-format log file, line by line, and hands each
 * line to a listener (for `tinylet run` and `logs -f`). Resolves once both streams have ended.
 */
export function writeCriLog(path: string, streams: { stdout: Readable; stderr: Readable }, onLine?: (line: Omit<LogLine, 'timestamp'>) => void): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'a' });
  const pump = (stream: Readable, name: LogLine['stream']) =>
    new Promise<void>((resolve) => {
      let pending = '';
      const emit = (content: string, partial: boolean) => {
        const line = { time: new Date(), stream: name, partial, content };
        file.write(formatLogLine(line));
        onLine?.(line);
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          emit(pending.slice(0, nl), false);
          pending = pending.slice(nl + 1);
        }
        while (pending.length > MAX_LINE) {
          emit(pending.slice(0, MAX_LINE), true);
          pending = pending.slice(MAX_LINE);
        }
      });
      const finish = () => {
        if (pending) emit(pending, false);
        pending = '';
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
    });
  return Promise.all([pump(streams.stdout, 'stdout'), pump(streams.stderr, 'stderr')]).then(
    () => new Promise<void>((resolve) => file.end(resolve)),
  );
}

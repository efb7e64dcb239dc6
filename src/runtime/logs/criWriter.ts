import type { Readable } from 'node:stream';
import { rfc3339Nano, type LogLine } from './criFormat.js';
import { RotatingLogFile, type LogFileOptions } from './logFile.js';

/** Lines longer than this are split into partial (P) records, as container runtimes do. */
const MAX_LINE = 16 * 1024;

export type CriLogOptions = LogFileOptions;

/**
 * Copies a container's stdout and stderr into one CRI-format log file, line by line, and hands each
 * line to a listener (for `tinylet run` and `logs -f`). Resolves once both streams have ended and
 * what was read is written (or dropped).
 *
 * It never throws and never rejects: the container is already running when this starts, so a log
 * file that cannot be created or written (ENOSPC, EIO, EDQUOT) drops lines (reported through
 * onDrop) while the FIFOs keep being drained; a container must not block on stdout, nor the agent
 * die, because a disk is full. A read error on a FIFO ends that stream.
 */
export function writeCriLog(
  path: string,
  streams: { stdout: Readable; stderr: Readable },
  onLine?: (line: Omit<LogLine, 'timestamp'>) => void,
  options: CriLogOptions = {},
): Promise<void> {
  const file = new RotatingLogFile(path, options);
  const pump = (stream: Readable, name: LogLine['stream']) =>
    new Promise<void>((resolve) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        // One clock reading per chunk: the lines of one read() arrived together.
        const time = new Date();
        const stamp = `${rfc3339Nano(time)} ${name} `;
        const records: string[] = [];
        const emit = (content: string, partial: boolean) => {
          records.push(`${stamp}${partial ? 'P' : 'F'} ${content}\n`);
          if (onLine) safely(() => onLine({ time, stream: name, partial, content }));
        };
        pending += chunk;
        let start = 0;
        let nl: number;
        while ((nl = pending.indexOf('\n', start)) >= 0) {
          emitSplit(pending.slice(start, nl), emit);
          start = nl + 1;
        }
        pending = pending.slice(start);
        while (pending.length > MAX_LINE) {
          emit(pending.slice(0, MAX_LINE), true);
          pending = pending.slice(MAX_LINE);
        }
        if (!file.append(records)) {
          stream.pause();
          void file.drained().then(() => stream.resume());
        }
      });
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (pending) {
          const time = new Date();
          file.append([`${rfc3339Nano(time)} ${name} F ${pending}\n`]);
          if (onLine) safely(() => onLine({ time, stream: name, partial: false, content: pending }));
        }
        pending = '';
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.on('error', finish);
    });
  return Promise.all([pump(streams.stdout, 'stdout'), pump(streams.stderr, 'stderr')]).then(() => file.close());
}

/** A complete line longer than MAX_LINE becomes partial records and a final full one. */
function emitSplit(line: string, emit: (content: string, partial: boolean) => void): void {
  while (line.length > MAX_LINE) {
    emit(line.slice(0, MAX_LINE), true);
    line = line.slice(MAX_LINE);
  }
  emit(line, false);
}

/** A listener's exception must not stop the copying (the container would block on its stdout). */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* the listener's problem */
  }
}

/** One line of the CRI log format: `<RFC3339Nano> <stream> <P|F> <content>`. */
export interface LogLine {
  time: Date;
  /** Nanosecond-precision text as written to the file. */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

/** Millisecond clock, printed with nine fractional digits as the CRI format asks. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatLogLine(line: Omit<LogLine, 'timestamp'>): string {
  return `${rfc3339Nano(line.time)} ${line.stream} ${line.partial ? 'P' : 'F'} ${line.content}\n`;
}

export function parseLogLine(text: string): LogLine | undefined {
  // `s`: a line's content may hold a carriage return (a terminal's output, a progress bar).
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s.exec(text);
  if (!m) return undefined;
  return { timestamp: m[1], time: new Date(m[1]), stream: m[2] as LogLine['stream'], partial: m[3] === 'P', content: m[4] };
}

import type { LogLine } from './criFormat.js';
import { CriLogFollower } from './criFollower.js';

/** Reads a whole CRI log file back into lines, joining partial records. */
export function readCriLog(path: string): LogLine[] {
  return new CriLogFollower(path).read();
}

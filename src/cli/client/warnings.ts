// The API server's Warning headers (`299 - "text"`, RFC 7234), which kubectl prints on stderr as
// `Warning: text`: with `--lenient`, apply and create learn from them what was accepted but ignored.
import type { IncomingMessage } from 'node:http';
import { lenientWording } from '../lenientWording.js';

const WARNING = /^\s*299\s+\S+\s+("(?:[^"\\]|\\.)*")/;

export function warningTexts(res: IncomingMessage): string[] {
  const values = res.headersDistinct?.warning ?? [];
  return values.flatMap((v) => {
    const m = WARNING.exec(v);
    if (!m) return [];
    try {
      return [JSON.parse(m[1]!) as string];
    } catch {
      return [];
    }
  });
}

/** Prints the warnings of a response as kubectl does (reworded for --lenient: see lenientWording.ts). */
export function printWarnings(res: IncomingMessage): void {
  for (const w of warningTexts(res)) console.error(`Warning: ${lenientWording(w)}`);
}

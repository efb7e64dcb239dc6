import { stringify } from 'yaml';
import { printName } from '../api/printers/text.js';
import { jsonErrorDocument, type JsonError } from './jsonErrors.js';

export type OutputFormat = 'json' | 'yaml' | 'name';

export function checkFormat(o: string | undefined, allowed: string[]): void {
  if (o !== undefined && !allowed.includes(o)) {
    throw new Error(`unable to match a printer suitable for the output format "${o}", allowed formats are: ${allowed.join(',')}`);
  }
}

/** kubectl's -o json (4-space indent), -o yaml and -o name for one object or a List of them. */
export function formatObjects(objects: object[], format: OutputFormat, single: boolean, kind?: string): string {
  if (format === 'name') return objects.map((o) => `${printName(o as { kind?: string }, kind)}\n`).join('');
  const doc = single && objects.length === 1 ? objects[0] : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc, { lineWidth: 0 });
}

/**
 * The objects a command handled, in the -o format (nothing without -o: the command printed its own
 * lines). With -o json a failure still gives a JSON document: the errors, with whatever was
 * handled before (see jsonErrors.ts). Objects that come without kind are Pods.
 */
export function printResults(objects: object[], errors: JsonError[], output: string | undefined, single: boolean): void {
  if (!output) return;
  const typed = objects.map((o) => ({ apiVersion: 'v1', kind: 'Pod', ...o }));
  if (output === 'json' && errors.length) process.stdout.write(jsonErrorDocument(errors, typed));
  else if (typed.length) process.stdout.write(formatObjects(typed, output as OutputFormat, single, 'Pod'));
}

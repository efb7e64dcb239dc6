// Reading manifests the way kubectl does: YAML or JSON, several documents per file separated by
// `---`, `kind: List` unwrapped into its items. YAML is read with 1.1 rules, like the Go YAML
// library behind kubectl (so `0644` is octal and `yes` is a boolean), except that timestamps and
// base-60 numbers stay strings, as they do there.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, type Tags, type YAMLError } from 'yaml';
import { sourceExcerpt } from './sourceExcerpt.js';
import { yamlErrorHint } from './yamlErrorHint.js';
import { whereToFix } from './yamlErrorPosition.js';

export interface ManifestDoc {
  /** Position of the object within its source, from 0 (items of a List count one each). */
  index: number;
  /** Where the text came from: a path, or `<stdin>`. */
  source: string;
  object: any;
}

export interface ManifestSource {
  text: string;
  source: string;
}

/** A manifest that cannot be read at all; names the source and, for syntax errors, the line. */
export class ManifestError extends Error {
  readonly source: string;
  /** The problem alone, without the position, excerpt or hint (what `-o json` reports as message). */
  readonly reason: string;
  readonly line?: number;
  readonly column?: number;
  /** What to do about a common mistake (a pasted shell line, tabs, indentation). */
  readonly hint?: string;

  /** `excerpt` is the numbered source lines with a caret, printed under the first line of the message. */
  constructor(source: string, reason: string, line?: number, column?: number, more: { hint?: string; excerpt?: string } = {}) {
    const head = line === undefined ? `${source}: ${reason}` : `${source}:${line}:${column ?? 1}: ${reason}`;
    super([head, ...(more.excerpt ? [more.excerpt] : []), ...(more.hint ? [`  hint: ${more.hint}`] : [])].join('\n'));
    this.name = 'ManifestError';
    this.source = source;
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.hint = more.hint;
  }
}

const YAML_ONLY_TAGS = new Set(['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs', 'tag:yaml.org,2002:set']);

/** Keeps the parsed values plain JSON: no Date, Set, Map or Uint8Array can reach an object. */
function jsonCompatibleTags(tags: Tags): Tags {
  return tags.filter((t) => !(typeof t === 'object' && (YAML_ONLY_TAGS.has(t.tag) || t.format === 'TIME')));
}

function yamlError(text: string, source: string, err: YAMLError): ManifestError {
  // The library's message ends with " at line N, column M:" and a code excerpt; we report the position
  // ourselves, moved to the line the user must fix (see yamlErrorPosition.ts).
  const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const at = whereToFix(text, err);
  if (!at) return new ManifestError(source, reason);
  return new ManifestError(source, reason, at.line, at.col, { hint: yamlErrorHint(text, err, at), excerpt: sourceExcerpt(text, at) });
}

/** Parses every document of a YAML or JSON text; empty documents are skipped. */
export function parseManifests(text: string, source: string): ManifestDoc[] {
  const docs = parseAllDocuments(text, { version: '1.1', merge: true, customTags: jsonCompatibleTags, prettyErrors: true });
  const objects: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw yamlError(text, source, doc.errors[0]!);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    objects.push(...expandList(value, source));
  }
  return objects.map((object, index) => ({ index, source, object }));
}

function expandList(value: unknown, source: string): unknown[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [value];
  const obj = value as Record<string, unknown>;
  // kubectl accepts `kind: List` and any `<Kind>List` such as the output of `kubectl get pods -o yaml`.
  if (typeof obj.kind !== 'string' || !/^(\w*)List$/.test(obj.kind) || !('items' in obj)) return [value];
  if (obj.items === null || obj.items === undefined) return [];
  if (!Array.isArray(obj.items)) throw new ManifestError(source, `${obj.kind}: items must be a list`);
  return obj.items.flatMap((item) => expandList(item, source));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one manifest file, or standard input for `-`. */
export async function readManifestSource(pathOrDash: string): Promise<ManifestSource> {
  if (pathOrDash === '-') return { text: await readStdin(), source: '<stdin>' };
  try {
    return { text: await readFile(pathOrDash, 'utf8'), source: pathOrDash };
  } catch (err) {
    throw new ManifestError(pathOrDash, describeFsError(err));
  }
}

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

/**
 * Reads `-`, a file, or every *.yaml, *.yml and *.json directly inside a directory (not
 * recursively, like `kubectl apply -f dir`), in name order.
 */
export async function readManifestPaths(path: string): Promise<ManifestSource[]> {
  if (path === '-') return [await readManifestSource(path)];
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new ManifestError(path, describeFsError(err));
  }
  if (!isDir) return [await readManifestSource(path)];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(names.map((n) => readManifestSource(join(path, n))));
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

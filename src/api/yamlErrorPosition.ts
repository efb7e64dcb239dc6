// Where a YAML syntax error must be fixed. The yaml package reports where its parser noticed the
// problem (`linePos`), which is not always the line the user has to change:
//  - a line indented deeper than a `key: value` above it is read as a continuation of that value,
//    and the error lands on the value, one line too early;
//  - an unclosed quote or bracket is noticed at the end of the text (or of the document), one or
//    many lines too late: the opening character is what needs its partner;
//  - an indentation error can land on a comment line above the offending one, and on column 1 of
//    a line whose text starts further right.
import type { YAMLError } from 'yaml';

/** 1-based, as editors and the yaml package count. */
export interface TextPosition {
  line: number;
  col: number;
}

const indentOf = (s: string): number => s.length - s.trimStart().length;
/** Blank and comment-only lines hold no YAML: positions skip over them. */
const isContent = (s: string | undefined): s is string => s !== undefined && s.trim() !== '' && !s.trimStart().startsWith('#');

function offsetToPosition(lines: string[], offset: number): TextPosition {
  let rest = offset;
  for (let i = 0; i < lines.length; i++) {
    if (rest <= lines[i]!.length) return { line: i + 1, col: rest + 1 };
    rest -= lines[i]!.length + 1;
  }
  return { line: lines.length, col: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** The opening quote or bracket left unclosed before `offset` (quotes inside brackets are not tracked: good enough for a hint). */
function unclosedOpener(text: string, offset: number, kind: '"' | "'" | 'flow'): number | undefined {
  if (kind !== 'flow') {
    // Nothing after an unclosed quote can be its partner, so the last unescaped one before the end opened it.
    for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
      if (text[i] === kind && !(kind === '"' && text[i - 1] === '\\')) return i;
    }
    return undefined;
  }
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** The position the user must edit, from the parser's report. */
export function whereToFix(text: string, err: YAMLError): TextPosition | undefined {
  // Split on \n only, so that offsets stay right with CRLF line ends (a \r stays at the end of its line).
  const lines = text.split('\n');
  const reported = err.linePos?.[0] ?? (err.pos ? offsetToPosition(lines, err.pos[0]) : undefined);
  if (!reported) return undefined;
  const message = err.message;

  const quote = /^Missing closing (["'])quote/.exec(message)?.[1] as '"' | "'" | undefined;
  const opener = quote ?? (/^Flow (sequence|mapping)/.test(message) ? 'flow' : undefined);
  if (opener) {
    const at = unclosedOpener(text, err.pos[0], opener);
    if (at !== undefined) return offsetToPosition(lines, at);
  }

  let { line, col } = reported;
  // The parser stops on the value above a deeper line; the deeper line is the one out of place.
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'MULTILINE_IMPLICIT_KEY') {
    const here = lines[line - 1] ?? '';
    let next = line;
    while (next < lines.length && !isContent(lines[next])) next++;
    const below = lines[next];
    if (isContent(here) && isContent(below) && indentOf(below) > indentOf(here) && /:\s+\S/.test(here)) {
      line = next + 1;
      col = indentOf(below) + 1;
    }
  }
  // An indentation error reported on a comment or blank line belongs to the next line with YAML on it.
  if (!isContent(lines[line - 1]) && err.code !== 'TAB_AS_INDENT') {
    let next = line;
    while (next < lines.length && !isContent(lines[next])) next++;
    if (next < lines.length) {
      line = next + 1;
      col = indentOf(lines[next]!) + 1;
    }
  }
  // Column 1 of an indented line means the line's first character; a tab error points at the tab itself.
  const current = lines[line - 1] ?? '';
  if (err.code !== 'TAB_AS_INDENT' && col <= indentOf(current) && isContent(current)) col = indentOf(current) + 1;
  return { line, col };
}

// A hint for the YAML mistakes people make when they paste manifests from notes, docs and chats.
// The parser's own words ("Implicit keys need to be on a single line") describe its state, not
// the mistake; the hint names the mistake and the fix. Only common, recognisable cases get one:
// a wrong hint is worse than none.
import type { YAMLError } from 'yaml';
import type { TextPosition } from './yamlErrorPosition.js';

// A heredoc opener anywhere on the line: `kubectl apply -f - <<EOF`, `cat <<'EOF' | kubectl ...`.
const HEREDOC = /<<-?\s*(['"]?)([A-Za-z_][\w-]*)\1/;
// A command line copied with or without its prompt.
const SHELL_COMMAND = /^\s*(\$\s+|#\s+)?(sudo\s+)?(kubectl|oc|cat|echo|printf|tee|curl|wget|tinylet|helm|k3s|microk8s)(\s|$)/;
// The usual here-document delimiters, alone on their line.
const HEREDOC_END = /^\s*(EOF|EOL|END|EOT|YAML|MANIFEST)\s*$/;
// `name:x`: a key whose colon has no space after it (but not a URL such as http://...).
const KEY_WITHOUT_SPACE = /^(\s*(?:-\s+)?)([\w.\/-]+):([^\s:\/][^\s]*)\s*$/;

const indentOf = (s: string): number => s.length - s.trimStart().length;
/** Where the text of a line starts, after any `- ` list markers: the column sibling keys line up on. */
const keyColumn = (s: string): number => (/^\s*(?:-\s+)*/.exec(s)?.[0].length ?? 0) + 1;
const isContent = (s: string | undefined): s is string => s !== undefined && s.trim() !== '' && !s.trimStart().startsWith('#');

function lineAbove(lines: string[], line: number): string | undefined {
  for (let i = line - 2; i >= 0; i--) if (isContent(lines[i])) return lines[i];
  return undefined;
}

/** The hint for the error `err`, whose fix is at `at` (see whereToFix); undefined when no common case fits. */
export function yamlErrorHint(text: string, err: YAMLError, at: TextPosition): string | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const here = lines[at.line - 1] ?? '';

  const heredoc = HEREDOC.exec(here);
  if (heredoc) return `this looks like a shell command; paste only the YAML between \`<<${heredoc[2]}\` and \`${heredoc[2]}\``;
  if (SHELL_COMMAND.test(here)) return 'this looks like a shell command; paste only the YAML it applies';
  if (HEREDOC_END.test(here)) return `this looks like the end of a shell here-document: leave out the \`${here.trim()}\` line`;

  if (err.code === 'TAB_AS_INDENT' || /^[ ]*\t/.test(here)) return 'YAML does not allow tabs for indentation: indent with spaces';

  const noSpace = KEY_WITHOUT_SPACE.exec(here);
  if (noSpace && (err.code === 'MULTILINE_IMPLICIT_KEY' || err.code === 'MISSING_CHAR')) {
    return `a key needs a space after its colon: \`${noSpace[2]}: ${noSpace[3]}\``;
  }

  const above = lineAbove(lines, at.line);
  if (above === undefined) return undefined;
  const reported = err.linePos?.[0].line;
  if ((err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'MULTILINE_IMPLICIT_KEY') && reported !== undefined && reported < at.line) {
    // whereToFix moved down to a line indented deeper than a `key: value` above it.
    return `this line is indented more than the line above (column ${indentOf(here) + 1}, not ${keyColumn(above)}), which already has a value: line it up, or check the indentation of the line above`;
  }
  const indentation = err.code === 'BAD_INDENT' || (err.code === 'MISSING_CHAR' && /^Sequence item without/.test(err.message)) || err.code === 'BLOCK_AS_IMPLICIT_KEY';
  if (indentation) {
    // A list item lines up with the dash above; a key with the text after the dash above.
    const mine = indentOf(here) + 1;
    const theirs = here.trimStart().startsWith('-') ? indentOf(above) + 1 : keyColumn(above);
    if (mine !== theirs) {
      return `this line starts at column ${mine}, the line above at column ${theirs}: keys of one mapping (and items of one list) start at the same column; check the indentation of this line and the line above`;
    }
    return 'check the indentation of this line and the line above';
  }
  return undefined;
}

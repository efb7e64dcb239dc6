// The label selector lexer of apimachinery (labels.Lexer): identifiers run until whitespace or a
// special symbol (= ! ( ) , > <), and a run of symbols yields the longest token it starts with
// ("!=" rather than "!"). Keywords `in`/`notin` are recognised here and demoted to identifiers by
// the parser where a value is expected.

export type Tok = 'err' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
export interface Item {
  tok: Tok;
  lit: string;
}

// A Map, so that identifiers such as "constructor" never hit Object.prototype.
const KEYWORDS = new Map<string, Tok>(
  [')', ',', '!', '==', '=', '>', 'in', '<', '!=', 'notin', '('].map((k) => [k, k as Tok]),
);
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c) && c !== '';

/** The lexer: identifiers run until whitespace or a special symbol; symbols take the longest match. */
export function scan(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const tok = KEYWORDS.get(buf);
        if (tok) last = { tok, lit: buf };
        else if (last) break; // keep the longest token seen, leave this char for the next one
        pos++;
      }
      items.push(last ?? { tok: 'err', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buf += s[pos++];
      items.push({ tok: KEYWORDS.get(buf) ?? 'id', lit: buf });
    }
  }
}

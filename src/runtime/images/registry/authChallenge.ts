// WWW-Authenticate as registries send it (RFC 7235): one or more challenges, each a scheme and either
// comma-separated `name=value` parameters (values tokens or quoted strings with \-escapes) or a token68.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
//   Basic realm="Registry Realm"

export interface AuthChallenge {
  /** Lowercased: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lowercased; a token68 is under "". */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseWwwAuthenticate(h));
  const s = header;
  let i = 0;
  const out: AuthChallenge[] = [];
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < s.length && TOKEN.test(s[i])) i++;
    return s.slice(start, i);
  };
  const readQuoted = () => {
    let v = '';
    i++; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i++];
    }
    i++; // closing quote (or the end of an unterminated one)
    return v;
  };
  /** Whether a `name=` (a parameter, not the next challenge's scheme) starts at i. */
  const paramAhead = () => {
    const save = i;
    const name = readToken();
    skipSpace();
    const isParam = name !== '' && s[i] === '=' && s[i + 1] !== '=';
    i = save;
    return isParam;
  };
  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    const scheme = readToken();
    if (scheme === '') {
      i++; // a stray character: skip it rather than loop forever
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipSpace();
    if (i < s.length && s[i] !== ',' && !paramAhead()) {
      // token68 (e.g. `Negotiate abc==`): the token and any padding.
      const start = i;
      while (i < s.length && (TOKEN.test(s[i]) || s[i] === '/' || s[i] === '=')) i++;
      challenge.params[''] = s.slice(start, i);
      continue;
    }
    for (;;) {
      skipSpace();
      if (!paramAhead()) break;
      const name = readToken().toLowerCase();
      skipSpace();
      i++; // '='
      skipSpace();
      challenge.params[name] = s[i] === '"' ? readQuoted() : readToken();
      skipSpace();
      if (s[i] !== ',') break;
      const save = i;
      i++;
      while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
      if (!paramAhead()) {
        i = save; // the next challenge starts here
        break;
      }
    }
  }
  return out;
}

/**
 * How Kubernetes combines a container's command/args with the image's ENTRYPOINT/CMD
 * (SEMANTICS §2.4), and `$(VAR)` expansion with `$$` as the escape.
 */
export function effectiveArgv(
  image: { entrypoint: string[]; cmd: string[] },
  container: { command?: string[]; args?: string[] },
): string[] {
  const { command, args } = container;
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  if (args && args.length > 0) return [...image.entrypoint, ...args];
  return [...image.entrypoint, ...image.cmd];
}

/** The kubelet's expansion.Expand: `$(NAME)` from env when defined, kept verbatim otherwise; `$$` → `$`. */
export function expandVars(input: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += name in env ? env[name] : `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

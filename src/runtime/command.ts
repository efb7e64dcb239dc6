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

/** An expansion grew past `maxLength`: a string execve could never take, so the container could never start. */
export class ExpansionTooLongError extends Error {}

/**
 * The kubelet's expansion.Expand: `$(NAME)` from env when defined, kept verbatim otherwise; `$$` → `$`.
 * Each env value may expand the ones before it, so a few short vars can double their way to gigabytes
 * in the agent's memory: past `maxLength` characters it stops and throws ExpansionTooLongError.
 */
export function expandVars(input: string, env: Record<string, string>, maxLength = Infinity): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (out.length > maxLength) throw new ExpansionTooLongError(`longer than ${maxLength} characters after $(VAR) expansion`);
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
  if (out.length > maxLength) throw new ExpansionTooLongError(`longer than ${maxLength} characters after $(VAR) expansion`);
  return out;
}

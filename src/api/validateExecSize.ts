// What execve can take. A container's command, args and env become the argv and envp of an exec
// (the container's process; exec probes and hooks run with the container's env too): a string over
// MAX_ARG_STRLEN, or all of them over ARG_MAX, fails that exec with E2BIG, at every start, forever.
// Such a pod is refused here; kernelLimits.ts has the figures and why the total is held to 1 MiB.
import type { Container, EnvVar, ExecAction } from './types.js';
import { type FieldError, child, index, tooLong } from './fieldErrors.js';
import { ARG_ENV_BUDGET_BYTES, MAX_ARG_STRLEN, execStringCost } from './kernelLimits.js';

const ONE_STRING = `execve takes at most ${MAX_ARG_STRLEN} bytes per string (MAX_ARG_STRLEN), its terminating NUL included`;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export function validateExecSize(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const envCost = validateEnvStrings(c.env ?? [], child(path, 'env'), errs);
  const argv = [...argStrings(c.command, child(path, 'command'), errs), ...argStrings(c.args, child(path, 'args'), errs)];
  const total = argv.reduce((sum, a) => sum + execStringCost(a), envCost);
  if (total > ARG_ENV_BUDGET_BYTES) {
    errs.push(tooLong(path, ARG_ENV_BUDGET_BYTES, `command, args and env take ${total} bytes together (each string with its NUL and an 8-byte pointer, as execve counts them)`));
  }
  for (const [action, p] of execActions(c, path)) {
    const command = argStrings(action.command, child(p, 'command'), errs);
    const cost = command.reduce((sum, a) => sum + execStringCost(a), envCost);
    if (cost > ARG_ENV_BUDGET_BYTES) errs.push(tooLong(child(p, 'command'), ARG_ENV_BUDGET_BYTES, `the command and the container's env take ${cost} bytes together`));
  }
  return errs;
}

/** Reports each string too long for execve; answers the strings. */
function argStrings(list: string[] | undefined, path: string, errs: FieldError[]): string[] {
  (list ?? []).forEach((a, i) => {
    if (bytes(a) + 1 > MAX_ARG_STRLEN) errs.push(tooLong(index(path, i), MAX_ARG_STRLEN - 1, ONE_STRING));
  });
  return list ?? [];
}

/** Each `NAME=value` must fit in one exec string; answers what the env costs (the last of a repeated name wins). */
function validateEnvStrings(env: EnvVar[], path: string, errs: FieldError[]): number {
  const final = new Map<string, string>();
  env.forEach((e, i) => {
    const name = e.name ?? '';
    const value = e.valueFrom ? '' : (e.value ?? '');
    final.set(name, value);
    const max = MAX_ARG_STRLEN - 2 - bytes(name); // '=' and the NUL
    if (bytes(value) > max) errs.push(tooLong(child(index(path, i), 'value'), Math.max(0, max), `${ONE_STRING}, and this one is ${JSON.stringify(`${name}=`)} followed by the value`));
  });
  let cost = 0;
  for (const [name, value] of final) cost += execStringCost(`${name}=${value}`);
  return cost;
}

function execActions(c: Container, path: string): [ExecAction, string][] {
  const found: [ExecAction, string][] = [];
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const exec = c[kind]?.exec;
    if (exec) found.push([exec, child(child(path, kind), 'exec')]);
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    const exec = c.lifecycle?.[hook]?.exec;
    if (exec) found.push([exec, child(child(child(path, 'lifecycle'), hook), 'exec')]);
  }
  return found;
}

// The usual fixes for a container SIGKILLed at the end of its grace period. Most often the process
// is PID 1 of its PID namespace, which gets no default signal action: SIGTERM does nothing unless
// the program installs a handler (a shell script's `sleep`, a `sh -c` wrapper, a server without a
// handler). With shareProcessNamespace the pause process is PID 1 and the container's process
// keeps its default action, so if it still did not stop, it handled or blocked SIGTERM itself, or
// needed longer.
import type { Event, Pod } from '../api/types.js';

export const PID1_HINT =
  'PID 1 gets no default signal action: use the exec form (`exec` in the shell script / CMD ["node", "server.js"]), handle SIGTERM (`trap \'exit 0\' TERM` in sh), or run an init such as tini/dumb-init (`shareProcessNamespace: true` also makes the pause process PID 1)';

export const SHARED_PID_HINT =
  'its process is not PID 1 here (shareProcessNamespace), so it caught or blocked SIGTERM: make its handler exit, or raise terminationGracePeriodSeconds if it needs longer to stop';

export function stopSignalHint(pod: Pod): string {
  return pod.spec?.shareProcessNamespace ? SHARED_PID_HINT : PID1_HINT;
}

/**
 * The classic trap, named when it is the cause: the container took its command from the image (no
 * `command:` in the pod) and that command is a shell running a string, as a Dockerfile's shell-form
 * `CMD node server.js` becomes `/bin/sh -c "node server.js"`. The shell is PID 1; it has no handler
 * and does not pass SIGTERM on to the app.
 */
export function shellFormHint(pod: Pod, events: Event[], container: string): string | undefined {
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === container);
  if (!spec || spec.command?.length) return undefined;
  const started = events.filter((e) => e.reason === 'ProcessStarted' && e.involvedObject.fieldPath?.endsWith(`{${container}}`)).pop();
  // The argv is JSON in the message, cut at 160 characters: the shell and its -c are at the front.
  const shell = /is running as pid \d+: \["((?:\/usr)?\/bin\/)?(sh|bash|ash|dash)","-c"/.exec(started?.message ?? '');
  if (!shell) return undefined;
  return `${container}: the image's command is in shell form (${shell[1] ?? ''}${shell[2]} -c ...): the shell is PID 1 and does not pass SIGTERM on; write the Dockerfile's CMD/ENTRYPOINT in exec form (CMD ["app", "arg"]) or start the string with \`exec\``;
}

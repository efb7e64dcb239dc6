// The usual fixes for a container SIGKILLed at the end of its grace period. Most often the process
// is PID 1 of its PID namespace, which gets no default signal action: SIGTERM does nothing unless
// the program installs a handler (a shell script's `sleep`, a `sh -c` wrapper, a server without a
// handler). With shareProcessNamespace the pause process is PID 1 and the container's process
// keeps its default action, so if it still did not stop, it handled or blocked SIGTERM itself, or
// needed longer.
import type { Pod } from '../api/types.js';

export const PID1_HINT =
  'PID 1 gets no default signal action: use the exec form (`exec` in the shell script / CMD ["node", "server.js"]), handle SIGTERM (`trap \'exit 0\' TERM` in sh), or run an init such as tini/dumb-init (`shareProcessNamespace: true` also makes the pause process PID 1)';

export const SHARED_PID_HINT =
  'its process is not PID 1 here (shareProcessNamespace), so it caught or blocked SIGTERM: make its handler exit, or raise terminationGracePeriodSeconds if it needs longer to stop';

export function stopSignalHint(pod: Pod): string {
  return pod.spec?.shareProcessNamespace ? SHARED_PID_HINT : PID1_HINT;
}

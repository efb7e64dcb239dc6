// The agent holds every pod (each dies with it, PR_SET_PDEATHSIG): an exception that escapes to the
// top would end every pod on the node. What slips past the per-request and per-pod error handling
// is logged here, and the agent keeps running.
function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  try {
    return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** Installs the process-wide guards (the `tinylet agent` process does; embedders may). Returns their removal. */
export function installCrashGuards(who = 'tinylet agent'): () => void {
  let reporting = false;
  const report = (kind: string, err: unknown) => {
    // Logging itself could fail and come back here: never loop.
    if (reporting) return;
    reporting = true;
    try {
      process.stderr.write(`${who}: internal error (the agent keeps running): ${kind}: ${describe(err)}\n`);
    } catch {
      /* nowhere left to report it */
    } finally {
      reporting = false;
    }
  };
  const onException = (err: unknown) => report('uncaught exception', err);
  const onRejection = (reason: unknown) => report('unhandled rejection', reason);
  // A closed terminal or a dead log pipe makes stdout/stderr emit EPIPE: that must not end the agent either.
  const ignore = () => undefined;
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
    process.stdout.off('error', ignore);
    process.stderr.off('error', ignore);
  };
}

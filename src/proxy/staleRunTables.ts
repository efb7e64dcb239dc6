// `tinylet run` keeps its Service rules in a table named after its pid (tinylet-svc-run<pid>) and
// removes it at its end; a run killed with SIGKILL cannot. The next run removes the tables of runs
// whose process is gone, so rules of a dead run never keep routing its ClusterIPs.
import { processExists } from '../runtime/processTree.js';
import { runProcess } from '../runtime/runProcess.js';

export const runTableName = (pid: number) => `tinylet-svc-run${pid}`;

/** Deletes `ip tinylet-svc-run<pid>` tables of dead pids; best effort (nft missing: nothing to do). */
export async function removeStaleRunTables(): Promise<string[]> {
  const listed = await runProcess('nft', ['list', 'tables']).catch(() => undefined);
  if (!listed || listed.exitCode !== 0) return [];
  const stale = [...listed.stdout.matchAll(/^table ip (tinylet-svc-run(\d+))$/gm)].filter((m) => !processExists(Number(m[2]))).map((m) => m[1]!);
  for (const t of stale) await runProcess('nft', ['delete', 'table', 'ip', t]).catch(() => undefined);
  return stale;
}

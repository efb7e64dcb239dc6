import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/runtime/paths.js and src/runtime/paths.ts both sit three levels below it. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== '/') dir = dirname(dir);
  return dir;
}

export const packageRoot = findPackageRoot();
export const pauseBinary = join(packageRoot, 'agent', 'tinylet-pause');

/**
 * Passed to every process of the pause binary: it dies with the agent (PDEATHSIG) and checks that
 * the agent is still its parent right after asking, so an agent killed during the spawn leaves
 * nothing behind. The binary removes it from the environment before any container sees it.
 */
export function agentPidEnv(): { TINYLET_AGENT_PID: string } {
  return { TINYLET_AGENT_PID: String(process.pid) };
}

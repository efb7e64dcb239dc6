import { existsSync } from 'node:fs';
import { runProcess } from '../runProcess.js';

/** Runs several `ip` commands in one process (ip -batch), in the host's network namespace. */
export async function ipBatch(commands: string[]): Promise<void> {
  const result = await runProcess('ip', ['-batch', '-'], commands.join('\n') + '\n');
  if (result.exitCode !== 0) {
    throw new Error(`ip ${commands.join('; ')}: ${result.stderr || result.stdout}`.trim());
  }
}


/**
 * Whether a network interface exists in the host's namespace: sysfs lists the devices of the
 * namespace it was mounted in (the agent's), so this costs no `ip link show` process.
 */
export function linkExists(name: string): boolean {
  return !name.includes('/') && existsSync(`/sys/class/net/${name}`);
}

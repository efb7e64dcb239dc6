import { runProcess } from '../runProcess.js';

/** Runs several `ip` commands in one process (ip -batch), in the host's network namespace. */
export async function ipBatch(commands: string[]): Promise<void> {
  const result = await runProcess('ip', ['-batch', '-'], commands.join('\n') + '\n');
  if (result.exitCode !== 0) {
    throw new Error(`ip ${commands.join('; ')}: ${result.stderr || result.stdout}`.trim());
  }
}

export async function ipOk(args: string[]): Promise<boolean> {
  return (await runProcess('ip', args)).exitCode === 0;
}

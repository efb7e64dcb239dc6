import { runProcess } from '../runProcess.js';
import { NSENTER } from '../paths.js';

/** Runs several `ip` commands in one process (ip -batch), optionally inside a process's netns. */
export async function ipBatch(commands: string[], netnsOfPid?: number): Promise<void> {
  const argv = netnsOfPid ? [NSENTER, '--target', String(netnsOfPid), '--net', '--', 'ip', '-batch', '-'] : ['ip', '-batch', '-'];
  const result = await runProcess(argv[0], argv.slice(1), commands.join('\n') + '\n');
  if (result.exitCode !== 0) {
    throw new Error(`ip ${commands.join('; ')}: ${result.stderr || result.stdout}`.trim());
  }
}

export async function ipOk(args: string[]): Promise<boolean> {
  return (await runProcess('ip', args)).exitCode === 0;
}

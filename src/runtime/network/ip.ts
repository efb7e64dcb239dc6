import { execa } from 'execa';
import { NSENTER } from '../paths.js';

/** Runs several `ip` commands in one process (ip -batch), optionally inside a process's netns. */
export async function ipBatch(commands: string[], netnsOfPid?: number): Promise<void> {
  const argv = netnsOfPid ? [NSENTER, '--target', String(netnsOfPid), '--net', '--', 'ip', '-batch', '-'] : ['ip', '-batch', '-'];
  const result = await execa(argv[0], argv.slice(1), { input: commands.join('\n') + '\n', reject: false });
  if (result.exitCode !== 0) {
    throw new Error(`ip ${commands.join('; ')}: ${result.stderr || result.stdout}`.trim());
  }
}

export async function ipOk(args: string[]): Promise<boolean> {
  const result = await execa('ip', args, { reject: false });
  return result.exitCode === 0;
}

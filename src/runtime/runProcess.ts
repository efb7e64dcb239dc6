import { spawn } from 'node:child_process';

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * A short helper command (ip, mkfifo) on the pod start path. Plain child_process rather than execa:
 * loading execa costs ~130 ms, which `tinylet run` would pay before its first container starts.
 */
export function runProcess(file: string, args: string[], input?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? 9 : 0), stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

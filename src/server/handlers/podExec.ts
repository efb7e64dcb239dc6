// pods/{name}/exec over a WebSocket (channel.k8s.io: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize,
// and with v5 255 = close a stream). The command runs through the pause binary's exec mode, in every
// namespace and cgroup of the container and with its identity; with tty=true it gets a real PTY from node-pty.
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as pty from 'node-pty';
import { execArgv, execEnv } from '../../runtime/exec.js';
import type { ApiServices } from '../context.js';
import { boolParam } from '../queryParams.js';
import { badRequest } from '../status.js';
import type { WebSocket } from '../websocket.js';
import { parseResize, runningContainer, upgradeToChannels } from './channelStream.js';

interface ExecRequest {
  pid: number;
  specPath: string;
  env: Record<string, string>;
  command: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  /** Never with a TTY: the terminal carries both output streams on stdout, as the kubelet does. */
  stderr: boolean;
}

function resolve(services: ApiServices, namespace: string, name: string, query: URLSearchParams): ExecRequest {
  const { record, process } = runningContainer(services, namespace, name, query);
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  // exec(2) cannot pass a NUL byte (spawn would throw once the upgrade is already answered).
  if (command.some((c) => c.includes('\0'))) throw badRequest('command: Invalid value: an argument contains a NUL byte');
  // PodExecOptions' booleans as the API server decodes them (stdin=True from the Python client is true).
  const tty = boolParam(query, 'tty');
  const stdin = boolParam(query, 'stdin');
  const stdout = boolParam(query, 'stdout');
  const stderr = !tty && boolParam(query, 'stderr');
  // The kubelet's remotecommand.NewOptions refuses a session with no stream at all.
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { pid: process.pid, specPath: process.specPath, env: { ...record.env, ...(tty && !record.env.TERM ? { TERM: 'xterm' } : {}) }, command, tty, stdin, stdout, stderr };
}

function exitStatus(code: number, command: string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** Handles an upgrade request on .../pods/{name}/exec; errors before the upgrade are plain HTTP Status replies. */
export function handleExecUpgrade(services: ApiServices, req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): void {
  const upgraded = upgradeToChannels(req, socket, head, 'exec', () => resolve(services, namespace, name, query));
  if (!upgraded) return;
  const { session, value: exec } = upgraded;
  const finish = (code: number) => session.finish(exitStatus(code, exec.command));
  // From here on the connection is a WebSocket: a failure to start the command is its exit status.
  try {
    startCommand(session.ws, exec, session.out, finish);
  } catch (err) {
    session.out(2, `${(err as Error)?.message ?? String(err)}\n`);
    finish(126);
  }
}

function startCommand(ws: WebSocket, exec: ExecRequest, out: (channel: number, data: Buffer | string) => void, finish: (code: number) => void): void {
  const [file, argv] = execArgv(exec, exec.command, { tty: exec.tty });
  if (exec.tty) {
    const term = pty.spawn(file, argv, { name: exec.env.TERM ?? 'xterm', cols: 80, rows: 24, env: execEnv(exec.env), cwd: '/' });
    term.onData((d) => out(1, d));
    term.onExit(({ exitCode, signal }) => setTimeout(() => finish(signal ? 128 + signal : exitCode), 20));
    ws.on('message', (m: Buffer) => {
      if (m[0] === 0) term.write(m.subarray(1).toString());
      else if (m[0] === 4) {
        const size = parseResize(m.subarray(1));
        if (size) term.resize(size.cols, size.rows);
      }
    });
    ws.on('close', () => {
      try {
        term.kill('SIGKILL');
      } catch {
        /* gone */
      }
    });
    return;
  }
  const child = spawn(file, argv, { env: execEnv(exec.env), stdio: [exec.stdin ? 'pipe' : 'ignore', exec.stdout ? 'pipe' : 'ignore', exec.stderr ? 'pipe' : 'ignore'] });
  // Input sent after the command exited fails with EPIPE: an 'error' nobody listened to would be thrown.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('data', (d: Buffer) => out(1, d));
  child.stderr?.on('data', (d: Buffer) => out(2, d));
  child.on('error', (err) => {
    out(2, `${err.message}\n`);
    finish(126);
  });
  child.on('close', (code, signal) => finish(code ?? (signal ? 128 + (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 }) as Record<string, number>)[signal]! : 1)));
  ws.on('message', (m: Buffer) => {
    if (!child.stdin) return;
    if (m[0] === 0) child.stdin.write(m.subarray(1));
    else if (m[0] === 255 && m[1] === 0) child.stdin.end();
  });
  ws.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

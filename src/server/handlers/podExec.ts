// pods/{name}/exec over a WebSocket (v5/v4.channel.k8s.io) or SPDY/3.1 (kubectl <= 1.28): one
// process plumbing behind both (commandStreams.ts). The command runs through the pause binary's exec
// mode, in every namespace and cgroup of the container and with its identity; with tty=true it gets
// a real PTY from node-pty.
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { constants as osConstants } from 'node:os';
import type { Duplex, Readable } from 'node:stream';
import * as pty from 'node-pty';
import { execArgv, execEnv } from '../../runtime/exec.js';
import type { ApiServices } from '../context.js';
import { boolParam } from '../queryParams.js';
import { badRequest } from '../status.js';
import { runningContainer } from './channelStream.js';
import { type CommandStatus, type CommandStreams, type StreamOptions, upgradeForCommand } from './commandStreams.js';

/** Input buffered for a command that does not read it before the client's connection is left unread. */
const STDIN_BUFFER = 1024 * 1024;

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
  streams: StreamOptions;
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
  return { pid: process.pid, specPath: process.specPath, env: { ...record.env, ...(tty && !record.env.TERM ? { TERM: 'xterm' } : {}) }, command, tty, stdin, stdout, stderr, streams: { stdin, stdout, stderr, tty } };
}

function exitStatus(code: number, command: string[]): CommandStatus {
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
  upgradeForCommand(req, socket, head, 'exec', () => resolve(services, namespace, name, query), (streams, exec) => {
    const finish = (code: number) => streams.finish(exitStatus(code, exec.command));
    // From here on the connection is upgraded: a failure to start the command is its exit status.
    try {
      startCommand(streams, exec, finish);
    } catch (err) {
      streams.stderr(`${(err as Error)?.message ?? String(err)}\n`);
      finish(126);
    }
  });
}

function startCommand(streams: CommandStreams, exec: ExecRequest, finish: (code: number) => void): void {
  const [file, argv] = execArgv(exec, exec.command, { tty: exec.tty });
  if (exec.tty) {
    const term = pty.spawn(file, argv, { name: exec.env.TERM ?? 'xterm', cols: 80, rows: 24, env: execEnv(exec.env), cwd: '/' });
    term.onData((d) => {
      if (!streams.stdout(d)) {
        term.pause();
        streams.onDrain(() => term.resume());
      }
    });
    term.onExit(({ exitCode, signal }) => setTimeout(() => finish(signal ? 128 + signal : exitCode), 20));
    // A terminal's input has no end of its own: the client's stdin ending (a closed SPDY stream) is ignored, as with a TTY in the kubelet.
    streams.listen({
      stdin: (d) => term.write(d.toString()),
      resize: (size) => term.resize(size.cols, size.rows),
      close: () => {
        try {
          term.kill('SIGKILL');
        } catch {
          /* gone */
        }
      },
    });
    return;
  }
  const child = spawn(file, argv, { env: execEnv(exec.env), stdio: [exec.stdin ? 'pipe' : 'ignore', exec.stdout ? 'pipe' : 'ignore', exec.stderr ? 'pipe' : 'ignore'] });
  // Input sent after the command exited fails with EPIPE: an 'error' nobody listened to would be thrown.
  child.stdin?.on('error', () => undefined);
  // The command waits while the client's connection is backed up (the pipe fills, its write blocks).
  const relay = (source: Readable | null, write: (d: Buffer) => boolean) =>
    source?.on('data', (d: Buffer) => {
      if (!write(d)) {
        source.pause();
        streams.onDrain(() => source.resume());
      }
    });
  relay(child.stdout, streams.stdout);
  relay(child.stderr, streams.stderr);
  child.on('error', (err) => {
    streams.stderr(`${err.message}\n`);
    finish(126);
  });
  child.on('close', (code, signal) => finish(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1)));
  // Input the command does not read yet stays in the client's connection, not in the agent. Only past
  // a megabyte: while the connection is not read its close is not seen either.
  let held = false;
  const feed = (d: Buffer) => {
    const stdin = child.stdin;
    if (!stdin || stdin.destroyed) return;
    stdin.write(d);
    if (held || stdin.writableLength <= STDIN_BUFFER) return;
    held = true;
    streams.pauseInput();
    const resume = () => {
      stdin.off('drain', resume).off('close', resume);
      held = false;
      streams.resumeInput();
    };
    stdin.on('drain', resume).on('close', resume);
  };
  streams.listen({
    stdin: feed,
    stdinEnd: () => child.stdin?.end(),
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  });
}

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
import { sendSocketError } from '../respond.js';
import { ApiError, badRequest, notFound } from '../status.js';
import { acceptKey, WebSocket } from '../websocket.js';
import { pickContainer } from './pickContainer.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

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
  const pod = services.kubelet.getPod(namespace, name);
  if (!pod) throw notFound('pods', name);
  const container = pickContainer(pod, query.get('container'));
  const record = services.kubelet.getWorker(namespace, name)?.records.find((r) => r.name === container);
  if (!record?.process) throw badRequest(`container ${container} is not valid for pod ${name}: it is not running`);
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
  return { pid: record.process.pid, specPath: record.process.specPath, env: { ...record.env, ...(tty && !record.env.TERM ? { TERM: 'xterm' } : {}) }, command, tty, stdin, stdout, stderr };
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
  let exec: ExecRequest;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const protocol = PROTOCOLS.find((p) => offered.includes(p));
  try {
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) throw badRequest('tinylet serves exec over WebSocket (v5/v4.channel.k8s.io), not SPDY: use `tinylet exec`, or kubectl 1.29 or later');
    if (!protocol) throw badRequest(`unsupported exec subprotocol; this server speaks ${PROTOCOLS.join(', ')}`);
    exec = resolve(services, namespace, name, query);
  } catch (err) {
    sendSocketError(socket, err instanceof ApiError ? err : badRequest((err as Error)?.message ?? String(err)));
    return;
  }
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}`, `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'),
  );
  const ws = new WebSocket(socket, false, head);
  const out = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  const finish = (code: number) => {
    out(3, JSON.stringify(exitStatus(code, exec.command)));
    ws.close();
  };
  // From here on the connection is a WebSocket: a failure to start the command is its exit status.
  try {
    startCommand(ws, exec, out, finish);
  } catch (err) {
    out(2, `${(err as Error)?.message ?? String(err)}\n`);
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
        try {
          const { Width, Height } = JSON.parse(m.subarray(1).toString()) as { Width: number; Height: number };
          if (Width > 0 && Height > 0) term.resize(Width, Height);
        } catch {
          /* ignore a malformed resize */
        }
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

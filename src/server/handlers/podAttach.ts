// pods/{name}/attach over a WebSocket (v5/v4.channel.k8s.io): the running container's own streams,
// as the kubelet's attach gives them. Output from the moment of the attach (what came before is in
// the log), input to the container's stdin when it has one. Several attaches may be open at once;
// ending one never stops the container. With `stdinOnce` the container's stdin is closed when the
// first attach that carried stdin ends, as containerd does. A `tty: true` container has one output
// stream (its terminal, on stdout) and takes window sizes on the resize channel.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServices } from '../context.js';
import { boolParam } from '../queryParams.js';
import { badRequest } from '../status.js';
import { CLOSE, parseResize, RESIZE, runningContainer, STDERR, STDIN, STDOUT, SUCCESS_STATUS, upgradeToChannels, type RunningContainer } from './channelStream.js';

interface AttachRequest {
  target: RunningContainer;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** How long output may still drain from the FIFOs after the container's exit was reported. */
const DRAIN_MS = 500;

function resolve(services: ApiServices, namespace: string, name: string, query: URLSearchParams): AttachRequest {
  const target = runningContainer(services, namespace, name, query);
  const tty = boolParam(query, 'tty');
  // kubectl warns and attaches without a terminal; a client asking the API for one gets the refusal.
  if (tty && target.record.spec.tty !== true) throw badRequest(`Unable to use a TTY - container ${target.name} did not allocate one`);
  const stdin = boolParam(query, 'stdin');
  const stdout = boolParam(query, 'stdout');
  const stderr = boolParam(query, 'stderr');
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { target, stdin, stdout, stderr };
}

/** Handles an upgrade request on .../pods/{name}/attach; errors before the upgrade are plain HTTP Status replies. */
export function handleAttachUpgrade(services: ApiServices, req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): void {
  const upgraded = upgradeToChannels(req, socket, head, 'attach', () => resolve(services, namespace, name, query));
  if (!upgraded) return;
  const { session, value: attach } = upgraded;
  const { process: proc, record } = attach.target;
  const forward = (channel: number) => (chunk: Buffer | string) => session.out(channel, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  const onStdout = forward(STDOUT);
  const onStderr = forward(STDERR);
  if (attach.stdout) proc.stdout.on('data', onStdout);
  if (attach.stderr) proc.stderr.on('data', onStderr);
  // The container's stdin, or nothing when it has none (the input is dropped, as the runtime does).
  const stdin = attach.stdin ? proc.stdin : undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    proc.stdout.off('data', onStdout);
    proc.stderr.off('data', onStderr);
    if (stdin && record.spec.stdinOnce === true) stdin.close();
  };
  session.ws.on('message', (m: Buffer) => {
    if (m.length === 0) return;
    if (m[0] === STDIN) stdin?.write(m.subarray(1));
    else if (m[0] === RESIZE) {
      const size = parseResize(m.subarray(1));
      if (size) proc.resize?.(size.cols, size.rows);
    }
    // v5: the client's stdin ended. Only a stdinOnce container sees that EOF: others stay open for the next attach.
    else if (m[0] === CLOSE && m[1] === STDIN && record.spec.stdinOnce === true) stdin?.close();
  });
  session.ws.on('close', end);
  void proc.exited.then(() => {
    // The exit report can overtake the last output still in the FIFOs.
    const closed = (s: NodeJS.ReadableStream & { destroyed?: boolean }) => new Promise<void>((r) => (s.destroyed ? r() : (s.once('close', () => r()), s.once('end', () => r()))));
    const drained = Promise.all([closed(proc.stdout), closed(proc.stderr)]);
    void Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS))]).then(() => {
      end();
      session.finish(SUCCESS_STATUS);
    });
  });
}

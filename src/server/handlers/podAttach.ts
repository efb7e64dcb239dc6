// pods/{name}/attach over a WebSocket (v5/v4.channel.k8s.io) or SPDY/3.1 (commandStreams.ts): the
// running container's own streams, as the kubelet's attach gives them. Output from the moment of the attach (what came before is in
// the log), input to the container's stdin when it has one. Several attaches may be open at once;
// ending one never stops the container. With `stdinOnce` the container's stdin is closed when the
// first attach that carried stdin ends, as containerd does. A `tty: true` container has one output
// stream (its terminal, on stdout) and takes window sizes on the resize channel.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServices } from '../context.js';
import { boolParam } from '../queryParams.js';
import { badRequest } from '../status.js';
import { runningContainer, type RunningContainer } from './channelStream.js';
import { type CommandStreams, type StreamOptions, SUCCESS_STATUS, upgradeForCommand } from './commandStreams.js';

interface AttachRequest {
  target: RunningContainer;
  streams: StreamOptions;
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
  // As remotecommand.NewOptions: a terminal has one output stream, stderr is dropped.
  const stderr = !tty && boolParam(query, 'stderr');
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { target, streams: { stdin, stdout, stderr, tty } };
}

/** Handles an upgrade request on .../pods/{name}/attach; errors before the upgrade are plain HTTP Status replies. */
export function handleAttachUpgrade(services: ApiServices, req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): void {
  upgradeForCommand(req, socket, head, 'attach', () => resolve(services, namespace, name, query), (streams, attach) => serveAttach(streams, attach));
}

function serveAttach(streams: CommandStreams, attach: AttachRequest): void {
  const { process: proc, record } = attach.target;
  const onStdout = (chunk: Buffer | string) => streams.stdout(chunk);
  const onStderr = (chunk: Buffer | string) => streams.stderr(chunk);
  if (attach.streams.stdout) proc.stdout.on('data', onStdout);
  if (attach.streams.stderr) proc.stderr.on('data', onStderr);
  // The container's stdin, or nothing when it has none (the input is dropped, as the runtime does).
  const stdin = attach.streams.stdin ? proc.stdin : undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    proc.stdout.off('data', onStdout);
    proc.stderr.off('data', onStderr);
    if (stdin && record.spec.stdinOnce === true) stdin.close();
  };
  streams.listen({
    stdin: (d) => stdin?.write(d),
    resize: (size) => proc.resize?.(size.cols, size.rows),
    // The client's stdin ended. Only a stdinOnce container sees that EOF: others stay open for the next attach.
    stdinEnd: () => {
      if (record.spec.stdinOnce === true) stdin?.close();
    },
    close: end,
  });
  void proc.exited.then(() => {
    // The exit report can overtake the last output still in the FIFOs.
    const closed = (s: NodeJS.ReadableStream & { destroyed?: boolean }) => new Promise<void>((r) => (s.destroyed ? r() : (s.once('close', () => r()), s.once('end', () => r()))));
    const drained = Promise.all([closed(proc.stdout), closed(proc.stderr)]);
    void Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS))]).then(() => {
      end();
      streams.finish(SUCCESS_STATUS);
    });
  });
}

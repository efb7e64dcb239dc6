// `tinylet exec POD [-c C] [-i] [-t] -- CMD...`: a WebSocket to pods/exec (channel.k8s.io). With -t the
// agent runs the command on a real PTY (node-pty) and this terminal goes raw, resizes included.
import { WebSocket } from '../server/websocket.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { resourcePath } from './client/resources.js';

export interface ExecOptions extends ConnectionOptions {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

export async function execCommand(pod: string, command: string[], opts: ExecOptions): Promise<number> {
  if (command.length === 0) throw new Error('you must specify at least one command for the container');
  const { client, namespace } = connect(opts);
  const name = pod.startsWith('pod/') ? pod.slice(4) : pod;
  const tty = opts.tty === true && process.stdin.isTTY === true;
  if (opts.tty && !tty) console.error('Unable to use a TTY - input is not a terminal or the right kind of file');
  const { socket, head, protocol } = await client.upgrade(
    `${resourcePath('pods', namespace, name)}/exec`,
    { command, container: opts.container, stdin: opts.stdin ? 'true' : undefined, stdout: 'true', stderr: tty ? undefined : 'true', tty: tty ? 'true' : undefined },
    ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
  );
  const ws = new WebSocket(socket, true, head);
  const send = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  let exitCode = 0;
  const done = new Promise<void>((resolve) => ws.on('close', resolve));
  ws.on('message', (m: Buffer) => {
    const data = m.subarray(1);
    if (m[0] === 1) process.stdout.write(data);
    else if (m[0] === 2) process.stderr.write(data);
    else if (m[0] === 3) {
      const status = JSON.parse(data.toString()) as { status: string; message?: string; details?: { causes?: { reason: string; message: string }[] } };
      if (status.status !== 'Success') {
        const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
        exitCode = code ? Number(code) : 1;
        if (!code) console.error(`error: ${status.message}`);
      }
    }
  });
  const resize = () => send(4, JSON.stringify({ Width: process.stdout.columns, Height: process.stdout.rows }));
  if (tty) {
    process.stdin.setRawMode(true);
    resize();
    process.stdout.on('resize', resize);
  }
  const onInput = (d: Buffer) => send(0, d);
  if (opts.stdin) {
    process.stdin.on('data', onInput);
    process.stdin.on('end', () => {
      if (protocol.startsWith('v5')) send(255, Buffer.from([0]));
    });
    process.stdin.resume();
  }
  await done;
  if (tty) {
    process.stdin.setRawMode(false);
    process.stdout.off('resize', resize);
  }
  process.stdin.off('data', onInput);
  process.stdin.pause();
  return exitCode;
}

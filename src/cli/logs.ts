// `tinylet logs POD [-c C] [-f] [-p] [--timestamps] [--tail N] [--since 5m]`.
import { parseDuration } from '../kubelet/duration.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { resourcePath } from './client/resources.js';

export interface LogsOptions extends ConnectionOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tail?: string;
  since?: string;
}

export async function logsCommand(pod: string, containerArg: string | undefined, opts: LogsOptions): Promise<number> {
  const { client, namespace } = connect(opts);
  const name = pod.startsWith('pod/') ? pod.slice(4) : pod;
  const tail = opts.tail !== undefined ? Number(opts.tail) : -1;
  const res = await client.stream(`${resourcePath('pods', namespace, name)}/log`, {
    accept: 'text/plain',
    query: {
      container: opts.container ?? containerArg,
      follow: opts.follow ? 'true' : undefined,
      previous: opts.previous ? 'true' : undefined,
      timestamps: opts.timestamps ? 'true' : undefined,
      tailLines: tail >= 0 ? tail : undefined,
      sinceSeconds: opts.since ? Math.ceil(parseDuration(opts.since, '--since') / 1000) : undefined,
    },
  });
  for await (const chunk of res) process.stdout.write(chunk as Buffer);
  return 0;
}

// `tinylet create -f FILE|DIR|-`: POST each Pod; the server validates and answers as kubectl expects.
import { ApiStatusError } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { formatCliError } from './client/errors.js';
import { resourcePath } from './client/resources.js';
import { readObjects } from './manifests.js';

export interface CreateOptions extends ConnectionOptions {
  filename: string[];
  lenient?: boolean;
  dryRun?: string;
}

export async function createCommand(opts: CreateOptions): Promise<number> {
  const { client, namespace } = connect(opts);
  let status = 0;
  for (const { object, source } of await readObjects(opts.filename)) {
    const ns = object.metadata?.namespace ?? namespace;
    try {
      const created = await client.call('POST', resourcePath('pods', ns), {
        body: object,
        query: { lenient: opts.lenient ? 'true' : undefined, dryRun: opts.dryRun === 'server' ? 'All' : undefined },
      });
      console.log(`pod/${created.metadata.name} created${opts.dryRun === 'server' ? ' (server dry run)' : ''}`);
    } catch (err) {
      status = 1;
      if (err instanceof ApiStatusError && err.status.reason !== 'Invalid') console.error(`Error from server (${err.status.reason}): error when creating "${source}": ${err.status.message}`);
      else console.error(formatCliError(err));
    }
  }
  return status;
}

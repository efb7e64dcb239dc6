// `tinylet create -f FILE|DIR|-`: POST each object (Pods, Services, ConfigMaps, Secrets, Endpoints,
// EndpointSlices) to its kind's API path; the server validates and answers as kubectl expects.
import { ApiStatusError } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { formatCliError } from './client/errors.js';
import { objectRef, resourceForKind, resourcePath } from './client/resources.js';
import { toJsonErrors, type JsonError } from './jsonErrors.js';
import { readObjects } from './manifests.js';
import { checkFormat, printResults } from './output.js';

export interface CreateOptions extends ConnectionOptions {
  filename: string[];
  lenient?: boolean;
  asPod?: boolean;
  dryRun?: string;
  /** json, yaml or name: print the created objects instead of `pod/x created` lines. */
  output?: string;
}

export async function createCommand(opts: CreateOptions): Promise<number> {
  checkFormat(opts.output, ['json', 'yaml', 'name']);
  const { objects, warnings, notes } = await readObjects(opts.filename, { verb: 'create', lenient: opts.lenient, asPod: opts.asPod });
  for (const w of warnings) console.error(w);
  for (const n of notes) console.error(`note: ${n}`);
  const { client, namespace } = connect(opts);
  const results: object[] = [];
  const errors: JsonError[] = [];
  for (const { object, source } of objects) {
    const ns = object.metadata?.namespace ?? namespace;
    try {
      const resource = resourceForKind(object.kind);
      if (!resource) throw new Error(`${source}: kind ${JSON.stringify(object.kind)} is not served`);
      const created = await client.call('POST', resourcePath(resource, ns), {
        body: object,
        query: { lenient: opts.lenient && resource === 'pods' ? 'true' : undefined, dryRun: opts.dryRun === 'server' ? 'All' : undefined },
      });
      if (opts.output) results.push(created);
      else console.log(`${objectRef(resource, created.metadata.name)} created${opts.dryRun === 'server' ? ' (server dry run)' : ''}`);
    } catch (err) {
      errors.push(...toJsonErrors(err).map((e) => ({ source, ...e })));
      if (err instanceof ApiStatusError && err.status.reason !== 'Invalid') console.error(`Error from server (${err.status.reason}): error when creating "${source}": ${err.status.message}`);
      else console.error(formatCliError(err));
    }
  }
  printResults(results, errors, opts.output, objects.length === 1);
  return errors.length ? 1 : 0;
}

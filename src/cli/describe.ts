// `tinylet describe pod NAME...` (or -l): kubectl's layout, the pod's events at the bottom.
import { describePod } from '../api/printers/describePod.js';
import type { Event, Pod } from '../api/types.js';
import { ApiStatusError } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { resolveResource, resourcePath } from './client/resources.js';

export interface DescribeOptions extends ConnectionOptions {
  selector?: string;
}

export async function describeCommand(args: string[], opts: DescribeOptions): Promise<number> {
  if (args.length === 0) throw new Error('You must specify the type of resource to describe. Valid resource types include: pods');
  const { resource, name } = resolveResource(args[0]!);
  if (resource !== 'pods') throw new Error(`tinylet describes pods only (got ${resource})`);
  const { client, namespace } = connect(opts);
  let pods: Pod[];
  const names = [...(name ? [name] : []), ...args.slice(1)];
  let status = 0;
  if (names.length) {
    pods = [];
    for (const n of names) {
      try {
        pods.push(await client.get(resourcePath('pods', namespace, n)));
      } catch (err) {
        if (!(err instanceof ApiStatusError)) throw err;
        console.error(`Error from server (${err.status.reason}): ${err.status.message}`);
        status = 1;
      }
    }
  } else {
    pods = (await client.get(resourcePath('pods', namespace), { query: { labelSelector: opts.selector } })).items;
    if (pods.length === 0) console.error(`No resources found in ${namespace} namespace.`);
  }
  const out: string[] = [];
  for (const pod of pods) {
    const m = pod.metadata!;
    const events: Event[] = (
      await client.get(resourcePath('events', m.namespace), {
        query: { fieldSelector: `involvedObject.name=${m.name},involvedObject.namespace=${m.namespace},involvedObject.uid=${m.uid}` },
      })
    ).items;
    out.push(describePod(pod, events, Date.now()));
  }
  process.stdout.write(out.map((d) => (d.endsWith('\n') ? d : `${d}\n`)).join('\n\n'));
  return status;
}

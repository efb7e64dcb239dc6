// `tinylet delete pod NAME...|-f FILE|-l SELECTOR|--all`: graceful by default (the pod shows
// Terminating), --grace-period, --force; waits until the pods are gone unless --wait=false. Services,
// ConfigMaps, Secrets, Endpoints and EndpointSlices (`delete svc web`, or in the -f file) go at once.
import { ApiStatusError, type ApiClient } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { kindRef, resolveResource, resourceForKind, resourceInfo, resourcePath, type ResourceName } from './client/resources.js';
import { readObjects } from './manifests.js';

export interface DeleteOptions extends ConnectionOptions {
  filename?: string[];
  /** A workload in the file stands for the pod `--as-pod` made from it. */
  asPod?: boolean;
  selector?: string;
  all?: boolean;
  gracePeriod?: string;
  force?: boolean;
  wait?: boolean;
}

async function waitGone(client: ApiClient, ns: string, name: string, uid: string | undefined): Promise<void> {
  const list = await client.get(resourcePath('pods', ns), { query: { fieldSelector: `metadata.name=${name}` } });
  const current = (list.items as { metadata: { uid: string } }[]).find((p) => !uid || p.metadata.uid === uid);
  if (!current) return;
  for await (const ev of client.watch(resourcePath('pods', ns), { query: { fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata.resourceVersion } })) {
    if (ev.type === 'DELETED' && (!uid || ev.object.metadata?.uid === uid)) return;
  }
}

export async function deleteCommand(args: string[], opts: DeleteOptions): Promise<number> {
  const { client, namespace } = connect(opts);
  let grace = opts.gracePeriod !== undefined ? Number(opts.gracePeriod) : -1;
  if (!Number.isInteger(grace)) throw new Error(`invalid argument "${opts.gracePeriod}" for "--grace-period" flag`);
  if (opts.force && grace < 0) grace = 0;
  if (grace === 0 && !opts.force) grace = 1; // kubectl: --grace-period=0 without --force means 1
  if (opts.force && grace === 0) {
    console.error('warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.');
  }
  const targets: { resource: ResourceName; ns: string; name: string }[] = [];
  if (opts.filename?.length) {
    // Kinds tinylet does not serve have nothing to delete here: skipped with a warning, never refused
    // (refusing would leave the file's pods running).
    const { objects, warnings } = await readObjects(opts.filename, { verb: 'delete', lenient: true, asPod: opts.asPod });
    for (const w of warnings) console.error(w);
    for (const { object } of objects) targets.push({ resource: resourceForKind(object.kind) ?? 'pods', ns: object.metadata?.namespace ?? namespace, name: object.metadata?.name });
  } else {
    if (args.length === 0) throw new Error('You must provide one or more resources by argument or filename.');
    const { resource, name } = resolveResource(args[0]!);
    if (!resourceInfo(resource).creatable) throw new Error(`the server does not allow this method on the requested resource (delete ${resource})`);
    const names = [...(name ? [name] : []), ...args.slice(1)];
    if (names.length === 0) {
      if (!opts.selector && !opts.all) throw new Error('resource(s) were provided, but no name was specified');
      const list = await client.get(resourcePath(resource, namespace), { query: { labelSelector: opts.selector } });
      for (const p of list.items) targets.push({ resource, ns: namespace, name: p.metadata.name });
      if (targets.length === 0) console.log('No resources found');
    } else {
      for (const n of names) targets.push({ resource, ns: namespace, name: n });
    }
  }
  let status = 0;
  const waits: Promise<void>[] = [];
  for (const t of targets) {
    try {
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) };
      const res = await client.call('DELETE', resourcePath(t.resource, t.ns, t.name), { body });
      console.log(`${kindRef(t.resource)} "${t.name}" ${opts.force && grace === 0 ? 'force deleted' : 'deleted'}`);
      // Only pods terminate: the other kinds are gone when the DELETE returns.
      if (t.resource === 'pods' && opts.wait !== false && !(opts.force && grace === 0)) waits.push(waitGone(client, t.ns, t.name, res?.metadata?.uid));
    } catch (err) {
      if (!(err instanceof ApiStatusError)) throw err;
      console.error(`Error from server (${err.status.reason}): ${err.status.message}`);
      status = 1;
    }
  }
  await Promise.all(waits);
  return status;
}

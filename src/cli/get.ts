// `tinylet get pods|pod NAME|svc|cm|secrets|ep|endpointslices|events|namespaces`, with kubectl's
// output: server-side Tables printed by kubectl's rules (-o wide adds the priority-1 columns), or
// -o json|yaml|name; -l, --field-selector, -n, -A, -w.
import type { Table } from '../api/printers/tables.js';
import { printTable } from '../api/printers/text.js';
import { ApiStatusError } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { apiVersionFor, KIND, resolveResource, resourceInfo, resourcePath, type ResourceName } from './client/resources.js';
import { jsonErrorDocument, toJsonErrors, type JsonError } from './jsonErrors.js';
import { checkFormat, formatObjects, type OutputFormat } from './output.js';

export interface GetOptions extends ConnectionOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  showLabels?: boolean;
  headers?: boolean;
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export async function getCommand(args: string[], opts: GetOptions): Promise<number> {
  if (args.length === 0) {
    throw new Error('You must specify the type of resource to get. Valid resource types include: pods, services, endpoints, endpointslices, configmaps, secrets, events, namespaces');
  }
  checkFormat(opts.output, ['json', 'yaml', 'name', 'wide']);
  const { resource, name: slashName } = resolveResource(args[0]!);
  const names = [...(slashName ? [slashName] : []), ...args.slice(1)];
  const { client, namespace } = connect(opts);
  const namespaced = resourceInfo(resource).namespaced;
  const ns = opts.allNamespaces || !namespaced ? undefined : namespace;
  const query = { labelSelector: opts.selector, fieldSelector: opts.fieldSelector };
  const table = opts.output === undefined || opts.output === 'wide';
  const print = { wide: opts.output === 'wide', withNamespace: opts.allNamespaces && namespaced, showLabels: opts.showLabels, noHeaders: opts.headers === false };
  let status = 0;
  let lastRv: string | undefined;
  let headersPrinted = false;

  if (names.length > 0) {
    const found: object[] = [];
    const rows: Table[] = [];
    const missing: JsonError[] = [];
    for (const n of names) {
      try {
        const obj = await client.get(resourcePath(resource, ns ?? namespace, n), { accept: table ? TABLE_ACCEPT : undefined });
        if (table) rows.push(obj as Table);
        else found.push(obj as object);
        lastRv = (obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      } catch (err) {
        if (!(err instanceof ApiStatusError) || err.status.code !== 404) throw err;
        console.error(`Error from server (NotFound): ${err.status.message}`);
        missing.push(...toJsonErrors(err));
        status = 1;
      }
    }
    if (table && rows.length) process.stdout.write(printTable({ ...rows[0]!, rows: rows.flatMap((t) => t.rows) }, print));
    headersPrinted = rows.length > 0;
    // -o json always prints a document: what was found, and what was not (see jsonErrors.ts).
    if (opts.output === 'json' && missing.length) process.stdout.write(jsonErrorDocument(missing, found));
    else if (!table && found.length) process.stdout.write(formatObjects(found, opts.output as OutputFormat, names.length === 1, KIND[resource]));
    if (!opts.watch) return status;
    if (names.length !== 1) throw new Error('watch is only supported on individual resources and resource collections');
  } else {
    const list = await client.get(resourcePath(resource, ns), { query, accept: table ? TABLE_ACCEPT : undefined });
    lastRv = list.metadata?.resourceVersion;
    if (table) {
      const t = list as Table;
      if (t.rows.length === 0 && !opts.watch) {
        console.error(ns ? `No resources found in ${ns} namespace.` : 'No resources found');
      }
      process.stdout.write(printTable(t, print));
      headersPrinted = t.rows.length > 0;
    } else {
      const items = (list.items ?? []) as object[];
      const kind = KIND[resource];
      const typed = items.map((i) => ({ apiVersion: apiVersionFor(resource), kind, ...i }));
      if (!opts.watch || items.length) process.stdout.write(formatObjects(typed, opts.output as OutputFormat, false, kind));
    }
    if (!opts.watch) return 0;
  }
  await watch(client, resource, ns, { ...query, fieldSelector: names.length ? `metadata.name=${names[0]}` : query.fieldSelector, resourceVersion: lastRv }, table, print, opts.output as OutputFormat, headersPrinted);
  return status;
}

async function watch(
  client: ReturnType<typeof connect>['client'],
  resource: ResourceName,
  ns: string | undefined,
  query: Record<string, string | undefined>,
  table: boolean,
  print: Parameters<typeof printTable>[1],
  format: OutputFormat,
  headersPrinted: boolean,
): Promise<void> {
  // Headers come once (with the list, or with the first event); later rows are aligned on their own, as kubectl's are.
  let headersDone = headersPrinted;
  for await (const ev of client.watch(resourcePath(resource, ns), { query, accept: table ? TABLE_ACCEPT : undefined })) {
    if (table) {
      process.stdout.write(printTable(ev.object as Table, { ...print, noHeaders: print?.noHeaders || headersDone }));
      headersDone = true;
    } else {
      process.stdout.write(formatObjects([{ apiVersion: apiVersionFor(resource), kind: KIND[resource], ...ev.object }], format, true, KIND[resource]));
    }
  }
}

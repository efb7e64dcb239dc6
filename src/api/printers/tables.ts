// Server-side tables: what the API server answers to `Accept: application/json;as=Table;v=v1;
// g=meta.k8s.io` (how kubectl get asks). Cells always hold the wide set, because the server's
// TableConvertor generates rows with Wide: true and leaves hiding priority-1 columns to the
// client. Cell logic follows printers.go (printPod, printEvent, printNamespace, printService,
// printEndpoints, printConfigMap, printSecret, printEndpointSlice).
import type { ConfigMap, EndpointSlice, Endpoints, Event, Namespace, ObjectMeta, Pod, PodDisruptionBudget, Secret, Service } from '../types.js';
import { formatLabels } from '../selectors/labels.js';
import {
  configMapColumns, endpointSliceColumns, podDisruptionBudgetColumns, endpointsColumns, eventColumns, namespaceColumns, podColumns, secretColumns, serviceColumns,
  type TableColumnDefinition,
} from './columns.js';
import { translateTimestampSince } from './duration.js';
import { formatEndpoints, serviceExternalIP, servicePorts } from './network.js';
import { formatRestarts, summarizePod } from './podStatus.js';
import { leaseCells, leaseColumns, nodeCells, nodeColumns } from './nodes.js';

export { formatEndpoints } from './network.js';

export type { TableColumnDefinition } from './columns.js';

export type TableCell = string | number | boolean | null;

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** Per `includeObject`: the object, its PartialObjectMetadata (default), or null for None. */
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';
export type TableKind = 'Pod' | 'Event' | 'Namespace' | 'Service' | 'Endpoints' | 'ConfigMap' | 'Secret' | 'EndpointSlice' | 'PodDisruptionBudget' | 'Node' | 'Lease';

export interface TableOptions {
  /** Epoch ms used for every AGE-like cell. */
  now: number;
  /** The `includeObject` query parameter; the server's default is Metadata. */
  includeObject?: IncludeObject;
  /** List resourceVersion (or the object's, for a single get). */
  resourceVersion?: string;
  continue?: string;
}

interface Printer<T> {
  columns: TableColumnDefinition[];
  cells(obj: T, now: number): TableCell[];
  conditions?(obj: T): TableRowCondition[] | undefined;
}

const podPrinter: Printer<Pod> = {
  columns: podColumns,
  cells(pod, now) {
    const s = summarizePod(pod);
    const spec = pod.spec;
    const status = pod.status;
    let gates = '<none>';
    if (spec?.readinessGates?.length) {
      // Each gate counts once, by the first condition of its type.
      const ok = spec.readinessGates.filter(
        (g) => status?.conditions?.find((c) => c.type === g.conditionType)?.status === 'True',
      ).length;
      gates = `${ok}/${spec.readinessGates.length}`;
    }
    return [
      pod.metadata?.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      formatRestarts(s, now),
      translateTimestampSince(pod.metadata?.creationTimestamp, now),
      status?.podIPs?.[0]?.ip || status?.podIP || '<none>',
      spec?.nodeName || '<none>',
      status?.nominatedNodeName || '<none>',
      gates,
    ];
  },
  conditions(pod) {
    // Lets clients tell finished pods apart (metav1.RowCompleted).
    if (pod.status?.phase === 'Succeeded') {
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    }
    if (pod.status?.phase === 'Failed') {
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    }
    return undefined;
  },
};

const eventPrinter: Printer<Event> = {
  columns: eventColumns,
  cells(ev, now) {
    // New-style events carry eventTime/series instead of first/last timestamps and count.
    const first = ev.firstTimestamp
      ? translateTimestampSince(ev.firstTimestamp, now)
      : translateTimestampSince(ev.eventTime, now);
    let last = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1;
    }
    const io = ev.involvedObject ?? {};
    const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
    const component = ev.source?.component || ev.reportingComponent || '';
    const instance = ev.source?.host || ev.reportingInstance || '';
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      io.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (ev.message ?? '').trim(),
      first,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};

const namespacePrinter: Printer<Namespace> = {
  columns: namespaceColumns,
  cells: (ns, now) => [
    ns.metadata?.name ?? '',
    ns.status?.phase ?? '',
    translateTimestampSince(ns.metadata?.creationTimestamp, now),
  ],
};

const servicePrinter: Printer<Service> = {
  columns: serviceColumns,
  cells(svc, now) {
    const spec = svc.spec ?? {};
    return [
      svc.metadata?.name ?? '',
      spec.type ?? 'ClusterIP',
      spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
      serviceExternalIP(svc),
      servicePorts(svc) || '<none>',
      translateTimestampSince(svc.metadata?.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

const endpointsPrinter: Printer<Endpoints> = {
  columns: endpointsColumns,
  cells: (ep, now) => [
    ep.metadata?.name ?? '',
    formatEndpoints(ep),
    translateTimestampSince(ep.metadata?.creationTimestamp, now),
  ],
};

const configMapPrinter: Printer<ConfigMap> = {
  columns: configMapColumns,
  cells: (cm, now) => [
    cm.metadata?.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    translateTimestampSince(cm.metadata?.creationTimestamp, now),
  ],
};

const secretPrinter: Printer<Secret> = {
  columns: secretColumns,
  cells: (s, now) => [
    s.metadata?.name ?? '',
    s.type ?? '',
    Object.keys(s.data ?? {}).length,
    translateTimestampSince(s.metadata?.creationTimestamp, now),
  ],
};

/** listWithMoreString: up to three items, then " + N more...", or <unset> for none. */
function listWithMore(items: string[], max = 3): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.length ? items.join(',') : '<unset>';
}

/** formatDiscoveryPorts: each port's number, or its name, or `*` for "all ports". */
export function formatDiscoveryPorts(ports: EndpointSlice['ports']): string {
  return listWithMore((ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? p.name : '*')));
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not. */
export function formatDiscoveryEndpoints(endpoints: EndpointSlice['endpoints'] | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: endpointSliceColumns,
  cells: (es, now) => [
    es.metadata?.name ?? '',
    es.addressType ?? '',
    formatDiscoveryPorts(es.ports),
    formatDiscoveryEndpoints(es.endpoints),
    translateTimestampSince(es.metadata?.creationTimestamp, now),
  ],
};

/** printPodDisruptionBudget: each bound as IntOrString.String() prints it, N/A when unset. */
const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: podDisruptionBudgetColumns,
  cells: (pdb, now) => {
    const bound = (v: number | string | undefined) => (v === undefined || v === null ? 'N/A' : String(v));
    return [
      pdb.metadata?.name ?? '',
      bound(pdb.spec?.minAvailable),
      bound(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      translateTimestampSince(pdb.metadata?.creationTimestamp, now),
    ];
  },
};

const PRINTERS: Record<TableKind, Printer<never>> = {
  Pod: podPrinter,
  Event: eventPrinter,
  Namespace: namespacePrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  EndpointSlice: endpointSlicePrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
  Node: { columns: nodeColumns, cells: nodeCells } as Printer<never>,
  Lease: { columns: leaseColumns, cells: leaseCells } as Printer<never>,
};

const API_VERSION: Partial<Record<TableKind, string>> = { EndpointSlice: 'discovery.k8s.io/v1', PodDisruptionBudget: 'policy/v1', Lease: 'coordination.k8s.io/v1' };

/** The row's `object` per includeObject (apiserver transformObject). */
function rowObject(obj: { kind?: string; apiVersion?: string; metadata?: ObjectMeta }, kind: TableKind, include: IncludeObject): unknown {
  if (include === 'None') return null;
  if (include === 'Object') return { kind, apiVersion: API_VERSION[kind] ?? 'v1', ...obj };
  const partial: PartialObjectMetadata = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  return partial;
}

/** Builds the meta.k8s.io/v1 Table for a list (or a single object) of one kind. */
export function tableFor(kind: TableKind, objects: readonly object[], opts: TableOptions): Table {
  const printer = PRINTERS[kind] as unknown as Printer<object & { metadata?: ObjectMeta }>;
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows: objects.map((o) => {
      // Key order as the Go struct serializes: cells, conditions, object.
      const conditions = printer.conditions?.(o);
      const cells = printer.cells(o, opts.now);
      const object = rowObject(o, kind, include);
      return conditions ? { cells, conditions, object } : { cells, object };
    }),
  };
}

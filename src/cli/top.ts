// `tinylet top pod [NAME] [--containers]`: CPU and memory of each pod's processes, from the agent's
// metrics.k8s.io endpoint (each container's cgroup CPU and working set over a sampled window), in kubectl's columns.
import { tabwrite, GET_TABWRITER } from '../api/printers/tabwriter.js';
import { connect, type ConnectionOptions } from './client/connect.js';

export interface TopOptions extends ConnectionOptions {
  allNamespaces?: boolean;
  containers?: boolean;
  selector?: string;
}

interface Usage {
  cpu: string;
  memory: string;
}

interface PodMetrics {
  metadata: { name: string; namespace: string };
  containers: { name: string; usage: Usage }[];
}

/** A quantity ("12345n", "3m", "1") in millicores. */
export function milliCores(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(n|u|m)?$/.exec(q);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === 'n' ? n / 1e6 : m[2] === 'u' ? n / 1e3 : m[2] === 'm' ? n : n * 1000;
}

/** A quantity ("1234Ki", "5Mi", "1000") in bytes. */
export function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) return 0;
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] ? mult[m[2]]! : 1);
}

const cpuText = (usage: Usage[]) => `${Math.round(usage.reduce((s, u) => s + milliCores(u.cpu), 0))}m`;
const memText = (usage: Usage[]) => `${Math.round(usage.reduce((s, u) => s + bytes(u.memory), 0) / 1024 ** 2)}Mi`;

export async function topCommand(kind: string, name: string | undefined, opts: TopOptions): Promise<number> {
  if (!['pod', 'pods', 'po'].includes(kind)) throw new Error(`tinylet top supports pods only (got "${kind}")`);
  const { client, namespace } = connect(opts);
  const base = opts.allNamespaces ? '/apis/metrics.k8s.io/v1beta1/pods' : `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`;
  const items: PodMetrics[] = name ? [await client.get(`${base}/${encodeURIComponent(name)}`)] : (await client.get(base, { query: { labelSelector: opts.selector } })).items;
  if (items.length === 0) {
    console.error(opts.allNamespaces ? 'No resources found' : `No resources found in ${namespace} namespace.`);
    return 0;
  }
  const rows: string[][] = [];
  const ns = opts.allNamespaces ? ['NAMESPACE'] : [];
  if (opts.containers) {
    rows.push([...ns, 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    for (const p of items) for (const c of p.containers) rows.push([...(opts.allNamespaces ? [p.metadata.namespace] : []), p.metadata.name, c.name, cpuText([c.usage]), memText([c.usage])]);
  } else {
    rows.push([...ns, 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    for (const p of items) rows.push([...(opts.allNamespaces ? [p.metadata.namespace] : []), p.metadata.name, cpuText(p.containers.map((c) => c.usage)), memText(p.containers.map((c) => c.usage))]);
  }
  process.stdout.write(tabwrite(rows.map((r) => `${r.join('\t')}\t\n`).join(''), GET_TABWRITER));
  return 0;
}
